/**
 * Who did something is who authenticated (decisions D14, D19): named API tokens (API_TOKENS=name:token,...) are
 * recorded as "api:<name>", the single API_TOKEN as "api", an unauthenticated sandbox as "api:anonymous", Slack
 * users as "slack:<id>"; a `by` in a request body is ignored and nothing in the audit trail comes from it.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { queryAudit } from '../../persistence/audit.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { glowCampaign, removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import { expectError, negotiation, reply, started, timelineOf, waitForState } from '../support/e2e.ts';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef00';
const LEGACY = 'legacy-token-0123456789abcdef';

const capped = () => glowCampaign({ maxCostWithoutApproval: '2300' });

describe('actors come from authentication only (D19)', () => {
  let agents: TestAgent[] = [];
  let dirs: string[] = [];
  afterEach(async () => {
    for (const t of agents) await t.stop();
    for (const d of dirs) removeDir(d);
    agents = [];
    dirs = [];
  });
  async function agent(env: Record<string, string> = {}) {
    const dir = tempDir('actors-');
    dirs.push(dir);
    const t = await startTestAgent(env, dir);
    agents.push(t);
    return t;
  }
  /** `call` with a bearer token. */
  const as = (t: TestAgent, token: string) => (method: string, path: string, body?: unknown) =>
    t.call(method, path, body, { Authorization: `Bearer ${token}` });

  it('named tokens are recorded by name; a body "by" claiming someone else is ignored', async () => {
    const t = await agent({ API_TOKENS: `alice:${ALICE}, bob:${BOB}` });
    const alice = as(t, ALICE);
    const bob = as(t, BOB);
    const created = await alice('POST', '/api/v1/campaigns', capped());
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.negotiations[0].id;
    const paused = await bob('POST', `/api/v1/negotiations/${id}/pause`, { by: 'slack:U0CEO' });
    expect(paused.status, JSON.stringify(paused.body)).to.equal(200);
    const resumed = await alice('POST', `/api/v1/negotiations/${id}/resume`, { by: 'slack:U0CEO' });
    expect(resumed.status).to.equal(200);

    const n = (await alice('GET', `/api/v1/negotiations/${id}`)).body;
    const controls = timelineOf(n, 'control');
    expect(controls.map((c) => [c.action, c.by])).to.deep.equal([
      ['pause', 'api:bob'],
      ['resume', 'api:alice'],
    ]);
    // the audit trail as the CLI and Slack /audit read it: the campaign start and the controls, by token name
    const db = new Database(join(t.dataDir, 'agent.db'), { readonly: true });
    const audit = queryAudit(db, { campaign: 'cmp-1', order: 'asc' });
    db.close();
    expect(audit.filter((e) => e.type === 'campaign_start').map((e) => e.by)).to.deep.equal(['api:alice']);
    expect(audit.filter((e) => e.type === 'control').map((e) => e.by)).to.deep.equal(['api:bob', 'api:alice']);
    expect(JSON.stringify(audit)).not.to.include('U0CEO');
    expectError(await t.call('GET', `/api/v1/negotiations/${id}`, undefined, { Authorization: 'Bearer nope' }), 401);
  });

  it('an approval is recorded as the caller, never as the body says', async () => {
    const t = await agent({ API_TOKENS: `alice:${ALICE}` });
    const alice = as(t, ALICE);
    const created = await alice('POST', '/api/v1/campaigns', capped());
    const id = created.body.negotiations[0].id;
    const opening = (await alice('GET', '/sandbox/mail')).body[0];
    const delivered = await alice('POST', '/sandbox/mail', {
      from: 'maya@gmail.com',
      threadId: opening.threadId,
      text: 'My rate is $3,200 for this package.',
    });
    expect(delivered.status).to.equal(202);
    let state = '';
    for (let i = 0; i < 250 && state !== 'escalated'; i++) {
      state = (await alice('GET', `/api/v1/negotiations/${id}`)).body.state;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(state).to.equal('escalated');
    const approved = await alice('POST', `/api/v1/negotiations/${id}/approve`, { rate: '2300.00', by: 'slack:U0CEO' });
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    const n = (await alice('GET', `/api/v1/negotiations/${id}`)).body;
    expect(timelineOf(n, 'approval').map((a) => a.by)).to.deep.equal(['api:alice']);
    expect(JSON.stringify(n.timeline)).not.to.include('U0CEO');
  });

  it('API_TOKEN alone is recorded as "api", next to named tokens', async () => {
    const t = await agent({ API_TOKEN: LEGACY, API_TOKENS: `alice:${ALICE}` });
    const created = await as(t, LEGACY)('POST', '/api/v1/campaigns', glowCampaign());
    const id = created.body.negotiations[0].id;
    await as(t, LEGACY)('POST', `/api/v1/negotiations/${id}/pause`, { by: 'someone-else' });
    await as(t, ALICE)('POST', `/api/v1/negotiations/${id}/resume`);
    const n = (await as(t, ALICE)('GET', `/api/v1/negotiations/${id}`)).body;
    expect(timelineOf(n, 'control').map((c) => c.by)).to.deep.equal(['api', 'api:alice']);
  });

  it('a sandbox without tokens records "api:anonymous"', async () => {
    const t = await agent();
    const s = await started(t, capped());
    await t.call('POST', `/api/v1/negotiations/${s.id}/claim`, { by: 'slack:U0CEO' });
    const n = await negotiation(t, s.id);
    expect(timelineOf(n, 'takeover').map((c) => c.by)).to.deep.equal(['api:anonymous']);
    expect(JSON.stringify(n.timeline)).not.to.include('U0CEO');
  });

  it('the Slack stand-in records the Slack user', async () => {
    const t = await agent();
    const s = await started(t, capped());
    await reply(t, s.threadId, 'My rate is $3,200 for this package.');
    await waitForState(t, s.id, 'escalated');
    const res = await t.call('POST', '/sandbox/slack/actions', {
      action: 'walk_away',
      negotiationId: s.id,
      user: 'U0ALICE',
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const n = await negotiation(t, s.id);
    expect(timelineOf(n, 'walk_away').map((c) => c.by)).to.deep.equal(['slack:U0ALICE']);
  });
});

describe('API_TOKENS configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('actors-config-');
  });
  afterEach(() => removeDir(dir));
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env, dir);
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      return (error as ConfigError).problems.join('\n');
    }
    return '';
  };

  it('parses name:token pairs into actors', () => {
    const config = loadConfig({ API_TOKENS: `alice:${ALICE},ops.bot-2:${BOB}` }, dir);
    expect(config.apiTokens).to.deep.equal([
      { actor: 'api:alice', token: ALICE },
      { actor: 'api:ops.bot-2', token: BOB },
    ]);
  });

  for (const [label, value, expected] of [
    ['a pair without a colon', `${ALICE}`, /API_TOKENS: entry 1: must be name:token/],
    ['a short token', 'alice:short', /API_TOKENS: entry 1 \(alice\): the token must be at least 16 characters/],
    ['a bad name', `al ice!:${ALICE}`, /API_TOKENS: entry 1: the name must be/],
    ['an empty name', `:${ALICE}`, /API_TOKENS: entry 1: the name must be/],
    ['a name used twice', `alice:${ALICE},alice:${BOB}`, /entry 2 \(alice\): the name alice is used twice/],
    ['a token used twice', `alice:${ALICE},bob:${ALICE}`, /entry 2 \(bob\): the same token is given twice/],
    ['an empty entry', `alice:${ALICE},`, /API_TOKENS: entry 2: must be name:token/],
  ] as const) {
    it(`refuses ${label}, naming the variable and never echoing a token`, () => {
      const text = problems({ API_TOKENS: value });
      expect(text).to.match(expected);
      expect(text).not.to.include(ALICE.slice(6)).and.not.include(BOB.slice(4));
    });
  }

  it('refuses a token given both as API_TOKEN and in API_TOKENS', () => {
    expect(problems({ API_TOKEN: ALICE, API_TOKENS: `alice:${ALICE}` })).to.include(
      'API_TOKENS: a token equals API_TOKEN',
    );
  });

  it('live mode starts with API_TOKENS alone (no API_TOKEN), and a sandbox beyond loopback needs one of them', () => {
    expect(problems({ AGENT_MODE: 'live' })).to.include('API_TOKEN or API_TOKENS is required in live mode');
    expect(problems({ AGENT_MODE: 'live', API_TOKENS: `alice:${ALICE}` })).not.to.include('API_TOKEN or API_TOKENS');
    expect(problems({ HOST: '0.0.0.0' })).to.include('needs API_TOKEN or API_TOKENS');
    expect(problems({ HOST: '0.0.0.0', API_TOKENS: `alice:${ALICE}` })).to.equal('');
  });
});

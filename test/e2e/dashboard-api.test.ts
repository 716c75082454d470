/**
 * The API behind the dashboard (decisions D15, D19): the campaign dry run (CSV in the sheet's layout, problems by
 * field and row, opening offers, nothing stored or sent), whole-campaign pause/resume/stop (audited with who
 * authenticated), the "Needs you" list, keyset pages of the negotiation list, campaign stats, the agent's mode,
 * and Slack links that open the dashboard's view of a negotiation.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import { expectError, MAYA, mail, negotiation, slack, until, waitForState } from '../support/e2e.ts';

const ALICE = 'alice-token-0123456789abcdef';
const AS_ALICE = { authorization: `Bearer ${ALICE}` };

/** The agent as a caller holding `headers` sees it (the helpers of e2e.ts then send the token). */
const as = (t: TestAgent, headers: Record<string, string>): TestAgent => ({
  ...t,
  call: (method, path, body, more = {}) => t.call(method, path, body, { ...headers, ...more }),
});

let agents: TestAgent[] = [];
async function agent(env: Record<string, string> = {}) {
  const t = await startTestAgent(env);
  agents.push(t);
  return t;
}
afterEach(async () => {
  for (const t of agents) {
    await t.stop();
    removeDir(t.dataDir);
  }
  agents = [];
});

const CSV = [
  'Name,Email,Platform,Handle,Average Views,Engagement Rate,Notes',
  'Maya Lopez,maya@gmail.com,instagram,@maya,"80,000",4.5%,met at an event',
  'Bad Row,not-an-email,instagram,@bad,"50,000",3%,',
  'Leo Park,leo@gmail.com,,@leo,50k,,',
  'Maya Again,MAYA@gmail.com,instagram,,"80,000",,',
  ',nobody@example.com,,,"10,000",,',
].join('\n');

const campaignFields = (overrides: Record<string, unknown> = {}) => {
  const { influencers: _, ...fields } = glowCampaign(overrides);
  return fields;
};

const influencers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `Creator ${i}`, email: `creator${i}@gmail.com`, averageViews: 40000 }));

describe('dashboard API: POST /api/v1/campaigns/preview (the dry run)', () => {
  it('reads the CSV in the sheet layout: each row new or skipped with its field, each opening offer; stores nothing', async () => {
    const t = await agent();
    const res = await t.call('POST', '/api/v1/campaigns/preview', { ...campaignFields(), csv: CSV });
    expect(res.status).to.equal(200);
    const p = res.body;
    expect(p.ok).to.equal(true);
    expect(p.errors).to.deep.equal([]);
    expect(p.warnings).to.include('Columns ignored: Notes');
    expect(p.campaign).to.include({ id: 'cmp-1', exists: false, floorCpm: '25.00', ceilingCpm: '30.00' });
    const row = (n: number) => p.rows.find((r: { row: number }) => r.row === n);
    expect(row(2)).to.include({ status: 'new', openingOffer: '2000.00', openingCpm: '25.00', averageViews: 80000 });
    expect(row(3)).to.include({ status: 'skipped', field: 'email', reason: 'invalid email: not-an-email' });
    expect(row(4)).to.include({ status: 'new', platform: 'instagram', averageViews: 50000, openingOffer: '1250.00' });
    expect(row(5)).to.include({ status: 'skipped', field: 'email', reason: 'duplicate row for maya@gmail.com' });
    expect(row(6)).to.include({ status: 'skipped', field: 'name', reason: 'no name' });
    expect(p.summary).to.deep.equal({ rows: 5, new: 2, existing: 0, skipped: 3, openingTotal: '3250.00' });
    expect(p.influencers).to.have.length(5);
    expect(p.influencers[0]).to.deep.include({ name: 'Maya Lopez', averageViews: '80,000', engagementRate: '4.5%' });

    // Nothing was stored, sent or told.
    expect((await t.call('GET', '/api/v1/campaigns')).body).to.deep.equal([]);
    expect(await mail(t)).to.deep.equal([]);
    expect(await slack(t)).to.deep.equal([]);

    // Posting what the preview read starts the good rows only; the bad ones are skipped, nobody emailed for them.
    const created = await t.call('POST', '/api/v1/campaigns', { ...campaignFields(), influencers: p.influencers });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.negotiations.map((n: { influencer: { email: string } }) => n.influencer.email)).to.have.members(
      ['maya@gmail.com', 'leo@gmail.com'],
    );
    expect(created.body.skipped.map((s: { reason: string }) => s.reason)).to.have.members([
      'invalid email: not-an-email',
      'duplicate row for maya@gmail.com',
      'no name',
    ]);
    await until(async () => (await mail(t)).length === 2);
    expect((await mail(t)).map((m) => m.to)).to.have.members(['maya@gmail.com', 'leo@gmail.com']);

    // A second preview of the same campaign knows who negotiates already.
    const again = (await t.call('POST', '/api/v1/campaigns/preview', { ...campaignFields(), csv: CSV })).body;
    expect(again.campaign.exists).to.equal(true);
    expect(again.rows.filter((r: { status: string }) => r.status === 'existing')).to.have.length(2);
    expect(again.ok).to.equal(false);
    expect(again.warnings).to.include(
      'Everyone in the list is negotiating in this campaign already: nobody new to email',
    );
  });

  it('names every bad field (campaign fields, missing columns, a conflicting id) and still checks the rows', async () => {
    const t = await agent();
    const bad = await t.call('POST', '/api/v1/campaigns/preview', {
      ...campaignFields({ budget: 'lots', cpmTarget: '0', platform: 'myspace' }),
      csv: 'Full Name,Mail\nMaya,maya@gmail.com\n',
    });
    expect(bad.status).to.equal(200);
    expect(bad.body.ok).to.equal(false);
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).to.include.members(['budget', 'cpmTarget', 'platform', 'csv']);
    expect(bad.body.errors.find((e: { field: string }) => e.field === 'csv').message).to.match(
      /Missing columns "Name", "Email", "Average Views"/,
    );
    expect(bad.body.rows[0]).to.include({ status: 'skipped', field: 'name' });

    const minMax = await t.call('POST', '/api/v1/campaigns/preview', {
      ...campaignFields({ minCostPerInfluencer: '3000', maxCostWithoutApproval: '2000' }),
      csv: CSV,
    });
    expect(minMax.body.errors).to.deep.equal([
      { field: 'minCostPerInfluencer', message: 'minCostPerInfluencer must not exceed maxCostWithoutApproval' },
    ]);

    expect((await t.call('POST', '/api/v1/campaigns', glowCampaign())).status).to.equal(201);
    const conflict = await t.call('POST', '/api/v1/campaigns/preview', {
      ...campaignFields({ cpmTarget: '30' }),
      csv: CSV,
    });
    expect(conflict.body.errors).to.deep.include({
      field: 'id',
      message: 'Campaign cmp-1 already exists with different terms',
    });

    const notCsv = await t.call('POST', '/api/v1/campaigns/preview', { ...campaignFields(), csv: 'a,"b\n' });
    expect(notCsv.body.errors[0].field).to.equal('csv');
    expect(notCsv.body.errors[0].message).to.match(/^Not a readable CSV/);
    expectError(await t.call('POST', '/api/v1/campaigns/preview', { ...campaignFields(), csv: 42 }), 400);
  });
});

describe('dashboard API: a whole campaign paused, resumed, stopped', () => {
  it('every open negotiation follows; each control is audited with who authenticated; stop is final', async () => {
    const t = await agent({ API_TOKENS: `alice:${ALICE}` });
    const created = await t.call('POST', '/api/v1/campaigns', glowCampaign({ influencers: influencers(3) }), AS_ALICE);
    expect(created.status).to.equal(201);
    const ids: string[] = created.body.negotiations.map((n: { id: string }) => n.id);
    const alice = as(t, AS_ALICE);
    for (const id of ids) await waitForState(alice, id, 'awaiting_reply');
    const call = (method: string, path: string, body?: unknown) => alice.call(method, path, body);
    // One negotiation is finished already: the campaign controls leave it alone.
    expect((await call('POST', `/api/v1/negotiations/${ids[2]}/stop`)).status).to.equal(200);

    const paused = await call('POST', '/api/v1/campaigns/cmp-1/pause', { by: 'mallory' });
    expect(paused.status, JSON.stringify(paused.body)).to.equal(200);
    expect(paused.body).to.deep.include({ action: 'pause', previousStatus: 'active', status: 'paused', changed: 2 });
    for (const id of ids.slice(0, 2)) expect((await negotiation(alice, id)).state).to.equal('paused');
    expect((await call('POST', '/api/v1/campaigns/cmp-1/pause')).body).to.deep.include({
      status: 'paused',
      changed: 0,
    });

    // New rows of a paused campaign wait: nobody new is emailed.
    const more = await call('POST', '/api/v1/campaigns', glowCampaign({ influencers: influencers(4) }));
    expect(more.status).to.equal(200);
    expect(more.body.skipped).to.deep.include({ name: 'Creator 3', reason: 'the campaign is paused' });
    expect((await call('GET', '/sandbox/mail?to=creator3%40gmail.com')).body).to.deep.equal([]);

    const resumed = await call('POST', '/api/v1/campaigns/cmp-1/resume');
    expect(resumed.body).to.deep.include({ previousStatus: 'paused', status: 'active', changed: 2 });
    for (const id of ids.slice(0, 2))
      expect((await call('GET', `/api/v1/negotiations/${id}`)).body.state).to.equal('awaiting_reply');
    expectError(await call('POST', '/api/v1/campaigns/cmp-1/resume'), 409, 'invalid_state');

    const stopped = await call('POST', '/api/v1/campaigns/cmp-1/stop');
    expect(stopped.body).to.deep.include({ status: 'stopped', changed: 2 });
    expectError(await call('POST', '/api/v1/campaigns/cmp-1/resume'), 409, 'campaign_stopped');
    expectError(await call('POST', '/api/v1/campaigns/cmp-1/pause'), 409, 'campaign_stopped');
    expect((await call('POST', '/api/v1/campaigns/cmp-1/stop')).body).to.deep.include({ changed: 0 });
    expectError(await call('POST', '/api/v1/campaigns/nope/stop'), 404, 'not_found');
    expect((await call('GET', '/api/v1/campaigns')).body[0].status).to.equal('stopped');

    // The audit trail: who, what, how many, in order (the body's `by` is not trusted).
    const db = new Database(join(t.dataDir, 'agent.db'), { readonly: true });
    const entries = db
      .prepare("SELECT data FROM timeline WHERE type = 'campaign_control' AND campaign_id = 'cmp-1' ORDER BY id")
      .all()
      .map((r) => JSON.parse((r as { data: string }).data));
    db.close();
    expect(entries.map((e) => [e.action, e.by, e.status])).to.deep.equal([
      ['pause', 'api:alice', 'paused'],
      ['pause', 'api:alice', 'paused'],
      ['resume', 'api:alice', 'active'],
      ['stop', 'api:alice', 'stopped'],
      ['stop', 'api:alice', 'stopped'],
    ]);
    const controls = (await call('GET', `/api/v1/negotiations/${ids[0]}`)).body.timeline.filter(
      (e: { type: string }) => e.type === 'control',
    );
    expect(controls.map((e: { action: string; by: string }) => `${e.action}:${e.by}`)).to.deep.equal([
      'pause:api:alice',
      'resume:api:alice',
      'stop:api:alice',
    ]);
  });
});

describe('dashboard API: GET /api/v1/needs-you', () => {
  it('escalations, replies on human-held threads and parked negotiations, newest first, with bounds and their words', async () => {
    const t = await agent();
    const body = glowCampaign({
      maxCostWithoutApproval: '2300',
      influencers: [
        { name: 'Maya Lopez', email: MAYA, averageViews: 80000 },
        { name: 'Leo Park', email: 'leo@gmail.com', averageViews: 80000 },
        { name: 'Ana Ruiz', email: 'ana@gmail.com', averageViews: 80000 },
        { name: 'Kim Ito', email: 'kim@gmail.com', averageViews: 80000 },
      ],
    });
    const created = await t.call('POST', '/api/v1/campaigns', body);
    const id = (email: string) =>
      created.body.negotiations.find((n: { influencer: { email: string } }) => n.influencer.email === email).id;
    const [maya, leo, ana, kim] = [MAYA, 'leo@gmail.com', 'ana@gmail.com', 'kim@gmail.com'].map(id);
    for (const n of [maya, leo, ana, kim]) await waitForState(t, n, 'awaiting_reply');
    const reply = async (n: string, text: string) => {
      const d = await negotiation(t, n);
      expect(
        (await t.call('POST', '/sandbox/mail', { from: d.influencer.email, threadId: d.threadId, text })).status,
      ).to.equal(202);
    };
    expect((await t.call('GET', '/api/v1/needs-you')).body).to.deep.equal({
      counts: { parked: 0, escalation: 0, reply: 0, total: 0 },
      items: [],
      nextCursor: null,
    });

    await reply(maya, 'My rate for this package is $3,200');
    await waitForState(t, maya, 'escalated');
    // Leo's thread is held by a person: his reply waits for them (and one with no new reply is not listed).
    expect((await t.call('POST', `/api/v1/negotiations/${leo}/claim`)).status).to.equal(200);
    expect((await t.call('POST', `/api/v1/negotiations/${ana}/claim`)).status).to.equal(200);
    await reply(leo, 'Could we jump on a call first?');
    await until(async () => (await t.call('GET', '/api/v1/needs-you')).body.counts.reply === 1);
    // Kim's snapshot is spoiled while the agent is down: the first read parks it (D18).
    await t.stop();
    const db = new Database(join(t.dataDir, 'agent.db'));
    db.prepare('UPDATE negotiations SET snapshot = ? WHERE id = ?').run('{"not": "a snapshot"', kim);
    db.close();
    await t.restart();
    await t.call('GET', `/api/v1/negotiations/${kim}`);
    await until(async () => (await t.call('GET', '/api/v1/needs-you')).body.counts.parked === 1);

    const res = await t.call('GET', '/api/v1/needs-you');
    expect(res.status).to.equal(200);
    expect(res.body.counts).to.deep.equal({ parked: 1, escalation: 1, reply: 1, total: 3 });
    const byKind = Object.fromEntries(res.body.items.map((i: { kind: string }) => [i.kind, i]));
    expect(byKind.escalation.negotiation.id).to.equal(maya);
    expect(byKind.escalation.escalation).to.include({
      number: 1,
      ask: '3200.00',
      suggested: '2600.00',
      trigger: 'max_cost',
    });
    expect(byKind.escalation.reason).to.contain('$3,200.00');
    expect(byKind.escalation.bounds).to.deep.equal({
      floor: '2000.00',
      ceiling: '2400.00',
      floorCpm: '25.00',
      ceilingCpm: '30.00',
      maxWithoutApproval: '2300.00',
    });
    expect(byKind.escalation.latestReply.text).to.equal('My rate for this package is $3,200');
    expect(byKind.escalation.client).to.equal('Glow Skincare');
    expect(byKind.reply.negotiation.id).to.equal(leo);
    expect(byKind.reply.latestReply.text).to.equal('Could we jump on a call first?');
    expect(byKind.parked.negotiation.id).to.equal(kim);
    expect(byKind.parked.reason).to.match(/JSON/);
    const since = res.body.items.map((i: { negotiation: { updatedAt: string } }) => i.negotiation.updatedAt);
    expect(since).to.deep.equal([...since].sort().reverse());

    // Pages: one at a time, by cursor, the same items in the same order.
    const first = (await t.call('GET', '/api/v1/needs-you?limit=2')).body;
    expect(first.items).to.have.length(2);
    const second = (await t.call('GET', `/api/v1/needs-you?limit=2&after=${first.nextCursor}`)).body;
    expect(second.nextCursor).to.equal(null);
    expect([...first.items, ...second.items].map((i: { kind: string }) => i.kind)).to.deep.equal(
      res.body.items.map((i: { kind: string }) => i.kind),
    );
    expectError(await t.call('GET', '/api/v1/needs-you?after=bogus!'), 400);
    expectError(await t.call('GET', '/api/v1/needs-you?after=WyJ4Il0'), 400, 'invalid_cursor');

    // Dealt with, it leaves the list: approving (refused above their ask first), handing back.
    const above = await t.call('POST', `/api/v1/negotiations/${maya}/approve`, { rate: '3300', escalation: 1 });
    expectError(above, 422, 'rate_above_ask');
    expect(above.body.error.message).to.equal('Their latest ask is $3,200.00; an approval cannot exceed it');
    expectError(
      await t.call('POST', `/api/v1/negotiations/${maya}/approve`, { rate: '2600', escalation: 2 }),
      409,
      'stale_escalation',
    );
    expect(
      (await t.call('POST', `/api/v1/negotiations/${maya}/approve`, { rate: '2600', escalation: 1 })).status,
    ).to.equal(200);
    expect((await t.call('POST', `/api/v1/negotiations/${leo}/release`)).status).to.equal(200);
    const after = (await t.call('GET', '/api/v1/needs-you')).body;
    expect(after.counts).to.deep.equal({ parked: 1, escalation: 0, reply: 0, total: 1 });
  });
});

describe('dashboard API: the list in keyset pages, campaign stats, the mode, Slack links', () => {
  it('pages newest first by cursor with the total on the first page; filters by campaign and state', async () => {
    const t = await agent();
    expect((await t.call('POST', '/api/v1/campaigns', glowCampaign({ influencers: influencers(23) }))).status).to.equal(
      201,
    );
    expect(
      (await t.call('POST', '/api/v1/campaigns', glowCampaign({ id: 'cmp-2', influencers: influencers(4) }))).status,
    ).to.equal(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.call(
        'GET',
        `/api/v1/negotiations?campaign=cmp-1&limit=10${cursor ? `&after=${cursor}` : ''}`,
      );
      expect(res.status).to.equal(200);
      expect(res.headers.get('x-total-count')).to.equal(pages === 0 ? '23' : null);
      seen.push(...res.body.map((n: { id: string }) => n.id));
      cursor = res.headers.get('x-next-cursor');
      pages++;
    } while (cursor);
    expect(pages).to.equal(3);
    expect(new Set(seen).size).to.equal(23);
    const all = (await t.call('GET', '/api/v1/negotiations?campaign=cmp-1&limit=100')).body;
    expect(all.map((n: { id: string }) => n.id)).to.deep.equal(seen);
    const created = all.map((n: { createdAt: string }) => n.createdAt);
    expect(created).to.deep.equal([...created].sort().reverse());
    const everything = await t.call('GET', '/api/v1/negotiations?limit=5');
    expect(everything.headers.get('x-total-count')).to.equal('27');
    expect(everything.body[0].campaignId).to.equal('cmp-2'); // the newest first
    const stopped = await t.call('GET', '/api/v1/negotiations?state=stopped');
    expect(stopped.headers.get('x-total-count')).to.equal('0');
    expectError(await t.call('GET', '/api/v1/negotiations?after=abc&offset=3'), 400);
    expectError(await t.call('GET', '/api/v1/negotiations?after=e30'), 400, 'invalid_cursor');
  });

  it('campaign stats: the funnel from contacted to how each ended, CPM against target and ceiling, budget', async () => {
    const t = await agent();
    const created = await t.call(
      'POST',
      '/api/v1/campaigns',
      glowCampaign({
        influencers: [
          { name: 'Maya Lopez', email: MAYA, averageViews: 80000 },
          { name: 'Leo Park', email: 'leo@gmail.com', averageViews: 80000 },
          { name: 'Kim Ito', email: 'kim@gmail.com', averageViews: 80000 },
        ],
      }),
    );
    const [maya, , kim] = created.body.negotiations.map((n: { id: string }) => n.id);
    for (const n of [maya, kim]) await waitForState(t, n, 'awaiting_reply');
    const d = await negotiation(t, maya);
    await t.call('POST', '/sandbox/mail', { from: MAYA, threadId: d.threadId, text: "Sounds great, let's do it!" });
    await waitForState(t, maya, 'agreed');
    await t.call('POST', `/api/v1/negotiations/${kim}/stop`);
    const stats = await t.call('GET', '/api/v1/campaigns/cmp-1/stats');
    expect(stats.status).to.equal(200);
    expect(stats.body).to.deep.equal({
      id: 'cmp-1',
      status: 'active',
      funnel: {
        negotiations: 3,
        contacted: 3,
        replied: 1,
        agreed: 1,
        rejected: 0,
        stale: 0,
        escalated: 0,
        paused: 0,
        stopped: 1,
        negotiating: 1,
      },
      cpm: { achieved: '25.00', floor: '25.00', ceiling: '30.00' },
      budget: { budget: '50000.00', committed: '2000.00' },
    });
    expectError(await t.call('GET', '/api/v1/campaigns/nope/stats'), 404);
    expect((await t.call('GET', '/api/v1/info')).body).to.deep.equal({
      mode: 'sandbox',
      sandbox: { mail: true, slack: true, clock: true },
    });
  });

  it("Slack's links open the dashboard's view of the negotiation under PUBLIC_URL (D19)", async () => {
    const t = await agent({ PUBLIC_URL: 'https://deals.example.com', API_TOKEN: ALICE });
    const created = await t.call(
      'POST',
      '/api/v1/campaigns',
      glowCampaign({ maxCostWithoutApproval: '2300' }),
      AS_ALICE,
    );
    const id = created.body.negotiations[0].id;
    await waitForState(as(t, AS_ALICE), id, 'awaiting_reply');
    const d = (await t.call('GET', `/api/v1/negotiations/${id}`, undefined, AS_ALICE)).body;
    await t.call('POST', '/sandbox/mail', { from: MAYA, threadId: d.threadId, text: 'My rate is $3,200' }, AS_ALICE);
    const posted = await until(async () => {
      const all = (await t.call('GET', '/sandbox/slack', undefined, AS_ALICE)).body as {
        kind: string;
        blocks: unknown[];
      }[];
      return all.find((m) => m.kind === 'escalation');
    });
    expect(JSON.stringify(posted.blocks)).to.contain(
      `<https://deals.example.com/dashboard#n=${id}|Open the negotiation>`,
    );
    // The link is the page (public, no data): it asks for the token, then shows that negotiation.
    const page = await fetch(`${t.url}/dashboard`);
    expect(page.status).to.equal(200);
  });
});

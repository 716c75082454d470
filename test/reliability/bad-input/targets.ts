/**
 * Bad-input reliability suite: its constants and the two agents under test (sandbox; Gmail/Slack/ClickUp fakes).
 */
import { expect } from 'chai';
import { removeDir, tempDir } from '../../support/agent.ts';
import { blockActionsPayload, type FakeMessage, slashCommandPayload } from '../../support/fake-slack.ts';
import {
  API_TOKEN,
  AGENT_EMAIL,
  type Client,
  clickupEnv,
  dbDigest,
  ESCALATIONS,
  type Fakes,
  httpClient,
  integrationsEnv,
  PUSH_ACCOUNT,
  PUSH_AUDIENCE,
  pushBody,
  quiesce,
  startAgentIn,
  suiteSeed,
  until,
} from '../reliability-kit.ts';

export const LIMIT = 65_536;
export const PER_AGENT = Number(process.env.RELIABILITY_REQUESTS) || 8_000;
export const SEED = suiteSeed(0x5eed_bad1);
export const CONCURRENCY = 16;
/** One connection per request, so a connection the server closes after one answer never fails the next. */
export const KEEP_ALIVE = process.env.RELIABILITY_KEEP_ALIVE === '1';
export const AUTH = { authorization: `Bearer ${API_TOKEN}` };
export const JSON_TYPE = { 'content-type': 'application/json' };
export const MAYA = 'maya@gmail.com';
export const LEO = 'leo@gmail.com';
export const ANA = 'ana@gmail.com';
export const KIM = 'kim@gmail.com';
export const AGENCY = 'Talent House';
export const TASK = '86rel0001';
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// ---------------------------------------------------------------------------------------------------------------
// The agents under test

export interface Target {
  name: 'sandbox' | 'integrations';
  client: Client;
  url: string;
  agentDb: string;
  sandboxDb: string;
  dataDir: string;
  has: { sandboxMail: boolean; sandboxSlack: boolean; gmailPush: boolean; slackHttp: boolean };
  awaiting: string; // maya
  escalated: string; // leo: our offer $2,000, their ask $3,200
  terminal: string[]; // agreed, rejected (sandbox only)
  all: string[];
  threads: string[];
  campaignId: string;
  /** Real, VALID bodies of the webhooks (sent with wrong credentials). */
  slackBodies: string[];
  pushBodies: unknown[];
  validPushTokens: string[];
  /** Everything outside the databases that must not move (the fakes). */
  outside(): unknown;
}

export const campaignBody = (id: string, influencers: { name: string; email: string; agency?: string }[]) => ({
  id,
  client: 'Glow Skincare',
  platform: 'instagram',
  deliverables: '1 Instagram Reel, 2 Instagram Stories',
  budget: '50000',
  cpmTarget: '25',
  cpmLeniency: '20',
  maxCostWithoutApproval: '2300',
  influencers: influencers.map((i) => ({ ...i, platform: 'instagram', averageViews: 80000 })),
});

export async function stateOf(client: Client, id: string): Promise<string> {
  return (await client.json('GET', `/api/v1/negotiations/${id}`, undefined, AUTH)).body.state;
}

export async function startSandboxTarget(fakes: Fakes): Promise<Target & { stop(): Promise<void> }> {
  const a = await startAgentIn({ API_TOKEN, BODY_LIMIT_BYTES: String(LIMIT), ...clickupEnv(fakes) });
  const client = httpClient(a.t.url, CONCURRENCY, KEEP_ALIVE);
  const created = await client.json(
    'POST',
    '/api/v1/campaigns',
    campaignBody('cmp-rel', [
      { name: 'Maya Lopez', email: MAYA, agency: AGENCY },
      { name: 'Leo Park', email: LEO },
      { name: 'Ana Diaz', email: ANA },
      { name: 'Kim Lee', email: KIM },
    ]),
    AUTH,
  );
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  const ids = Object.fromEntries(
    (created.body.negotiations as { id: string; influencer: { email: string } }[]).map((n) => [
      n.influencer.email,
      n.id,
    ]),
  );
  const mails = await until(
    'four outreach emails',
    async () => {
      const m = (await client.json('GET', '/sandbox/mail', undefined, AUTH)).body as { to: string; threadId: string }[];
      return m.length === 4 ? m : undefined;
    },
    15_000,
  );
  const thread = (email: string) => mails.find((m) => m.to === email)?.threadId as string;
  const replies: [string, string][] = [
    [LEO, 'My rate for this package is $3,200.'],
    [ANA, "Sounds great, let's do it!"],
    [KIM, "Thanks, but I'll pass on this one."],
  ];
  for (const [email, text] of replies) {
    const res = await client.json('POST', '/sandbox/mail', { from: email, threadId: thread(email), text }, AUTH);
    expect(res.status).to.equal(202);
  }
  for (const [email, state] of [
    [LEO, 'escalated'],
    [ANA, 'agreed'],
    [KIM, 'rejected'],
    [MAYA, 'awaiting_reply'],
  ]) {
    await until(`${email} ${state}`, async () => (await stateOf(client, ids[email])) === state, 15_000);
  }
  const snapshot = () => ({ agent: dbDigest(a.agentDb), sandbox: dbDigest(a.sandboxDb) });
  await quiesce(a.agentDb, snapshot);
  return {
    name: 'sandbox',
    client,
    url: a.t.url,
    agentDb: a.agentDb,
    sandboxDb: a.sandboxDb,
    dataDir: a.dataDir,
    has: { sandboxMail: true, sandboxSlack: true, gmailPush: false, slackHttp: false },
    awaiting: ids[MAYA],
    escalated: ids[LEO],
    terminal: [ids[ANA], ids[KIM]],
    all: Object.values(ids),
    threads: mails.map((m) => m.threadId),
    campaignId: 'cmp-rel',
    slackBodies: [],
    pushBodies: [pushBody(1000)],
    validPushTokens: [],
    outside: () => ({ clickupReads: fakes.clickup.requests().length }),
    async stop() {
      client.close();
      await a.t.stop();
      removeDir(a.dataDir);
    },
  };
}

export async function startIntegrationsTarget(fakes: Fakes): Promise<Target & { stop(): Promise<void> }> {
  const dir = tempDir('reliability-live-');
  const a = await startAgentIn({ API_TOKEN, BODY_LIMIT_BYTES: String(LIMIT), ...integrationsEnv(fakes, dir) }, dir);
  const client = httpClient(a.t.url, CONCURRENCY, KEEP_ALIVE);
  const created = await client.json(
    'POST',
    '/api/v1/campaigns',
    campaignBody('cmp-live', [
      { name: 'Maya Lopez', email: MAYA, agency: AGENCY },
      { name: 'Leo Park', email: LEO },
    ]),
    AUTH,
  );
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  const ids = Object.fromEntries(
    (created.body.negotiations as { id: string; influencer: { email: string } }[]).map((n) => [
      n.influencer.email,
      n.id,
    ]),
  );
  const outreach = await until(
    'two outreach emails through Gmail',
    async () => {
      const sent = fakes.gmail.sent();
      return sent.length === 2 ? sent : undefined;
    },
    15_000,
  );
  const leoMail = outreach.find((m) => m.to.includes(LEO));
  if (!leoMail) throw new Error('no outreach to Leo');
  await fakes.gmail.deliver({
    from: `Leo Park <${LEO}>`,
    to: AGENT_EMAIL,
    subject: `Re: ${leoMail.subject}`,
    text: 'My rate for this package is $3,200.',
    threadId: leoMail.threadId,
    inReplyTo: leoMail.messageId,
    references: [leoMail.messageId],
  });
  const token = fakes.google.signIdToken({ aud: PUSH_AUDIENCE, email: PUSH_ACCOUNT });
  const pushed = await client.send({
    method: 'POST',
    path: '/webhooks/gmail',
    headers: { ...JSON_TYPE, authorization: `Bearer ${token}` },
    body: JSON.stringify(pushBody(fakes.gmail.historyId)),
  });
  expect(pushed.status).to.equal(204);
  await until('Leo escalated', async () => (await stateOf(client, ids[LEO])) === 'escalated', 15_000);
  const escalation = await until(
    'the Slack escalation',
    async () => fakes.slack.posted(ESCALATIONS).find((m) => m.text.startsWith('Escalation')),
    15_000,
  );
  const outside = () => ({
    gmailSends: fakes.gmail.sends,
    gmailMessages: fakes.gmail.sent().length,
    watches: fakes.gmail.watches.length,
    slackPosted: JSON.stringify(fakes.slack.posted()),
    slackUpdated: fakes.slack.updated().length,
    slackEphemerals: fakes.slack.ephemerals().length,
    slackResponses: fakes.slack.responses().length,
    slackViews: fakes.slack.views().length,
    clickupReads: fakes.clickup.requests().length,
  });
  const snapshot = () => ({ agent: dbDigest(a.agentDb), sandbox: dbDigest(a.sandboxDb), outside: outside() });
  await quiesce(a.agentDb, snapshot);
  return {
    name: 'integrations',
    client,
    url: a.t.url,
    agentDb: a.agentDb,
    sandboxDb: a.sandboxDb,
    dataDir: a.dataDir,
    has: { sandboxMail: false, sandboxSlack: false, gmailPush: true, slackHttp: true },
    awaiting: ids[MAYA],
    escalated: ids[LEO],
    terminal: [],
    all: Object.values(ids),
    threads: outreach.map((m) => m.threadId),
    campaignId: 'cmp-live',
    slackBodies: slackBodiesFor(escalation, fakes, MAYA),
    pushBodies: [pushBody(fakes.gmail.historyId), pushBody(Number(fakes.gmail.historyId) + 5)],
    validPushTokens: [token, fakes.google.signIdToken({ aud: PUSH_AUDIENCE, email: PUSH_ACCOUNT })],
    outside,
    async stop() {
      client.close();
      await a.t.stop();
      removeDir(a.dataDir);
    },
  };
}

/** Real Slack requests that would act if they were signed: clicks on the escalation's buttons, slash commands. */
export function slackBodiesFor(message: FakeMessage, fakes: Fakes, email: string): string[] {
  const actions = (
    message.blocks as { type: string; block_id?: string; elements?: { action_id: string; value: string }[] }[]
  ).find((b) => b.type === 'actions');
  const click = (actionId: string, value?: string) =>
    blockActionsPayload({
      user: 'U0MALLORY',
      actionId,
      blockId: actions?.block_id ?? '',
      value: value ?? actions?.elements?.find((e) => e.action_id === actionId)?.value,
      channel: message.channel,
      message: { ts: message.ts, text: message.text, blocks: message.blocks },
      responseUrl: fakes.slack.responseUrl('forged'),
    });
  const command = (name: string, text: string) =>
    slashCommandPayload({ command: name, text, user: 'U0MALLORY', responseUrl: fakes.slack.responseUrl('forged') });
  return [
    click('approve'),
    click('approve', '260000'),
    click('walk_away'),
    click('take_over'),
    click('approve_other'),
    command('/claim', email),
    command('/resume', email),
    command('/audit', `influencer:${email}`),
  ];
}

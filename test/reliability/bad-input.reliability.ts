/**
 * Reliability: bad input. Tens of thousands of generated malformed, oversized, wrongly typed, unsigned or
 * wrongly signed requests over every route of the agent (server/app.ts, server/routes/*.ts, server/slack-app.ts),
 * from a seeded PRNG (RELIABILITY_SEED replays a run; RELIABILITY_REQUESTS sets the count per agent), against two
 * agents: the sandbox (sandbox mailbox and Slack stand-in, ClickUp on) and an agent wired to the local fakes of
 * Gmail with push, Slack over HTTP and ClickUp. Both have API_TOKEN set and BODY_LIMIT_BYTES=65536.
 *
 * Every answer must be a 4xx (never a 5xx, never a hang) with the API's `{ error: { code, message } }` JSON body
 * and an X-Request-Id; afterwards every table of agent.db and sandbox.db is byte-for-byte what it was, and so is
 * what the fakes hold (mails sent through Gmail, Slack messages/updates/ephemerals/responses, ClickUp reads).
 *
 * What a request here never is: a request the API accepts. Each one is built to be refused: a body that breaks its
 * route's schema in at least one definite way, a wrong or missing credential (with an otherwise VALID, state-changing
 * body: the dangerous case), a command the negotiation's state forbids, a route or method that does not exist.
 *
 * Documented exceptions (not generated, legitimately not 4xx or legitimately changing state):
 * - OPTIONS on a known path answers 200 with `Allow` (@koa/router); HEAD on a GET route answers like GET.
 * - GET /sandbox/mail?to=&thread= filters leniently (unknown filters give `[]`), GET /api/v1/campaigns ignores its
 *   query; GET /api/v1/events with a valid token is a 200 event stream.
 * - POST /api/v1/agencies/:name/stop with a valid body and an unknown agency answers 200 `{ stopped: 0 }`.
 * - A schema-valid campaign whose terms cannot work answers 422 AND posts a Slack notice (D3.1, by design).
 * - A signed ClickUp delivery of another event (or without task id) answers 200 `ignored`; a valid Gmail push for
 *   another mailbox answers 204; Slack's own route answers Slack-style (200, empty) to every request Bolt
 *   dispatches (url_verification, ssl_check, clicks, slash commands), so only unparseable or structurally
 *   invalid signed Slack bodies are generated; its refusals use the same JSON error body as the API.
 * - Settings: agent.db holds `mail.cursor` (both agents) and `gmail.watch` (Gmail); sandbox.db `clock.offset_ms`.
 *   None had to be ignored here: no refused request moves them. They do move legitimately: `mail.cursor` on every
 *   mail pull (a valid push, a sandbox reply, the periodic Gmail poll — also past the agent's own sent mail),
 *   `gmail.watch` when the watch is renewed (checked hourly), `clock.offset_ms` on a valid POST /sandbox/clock.
 * - HTTP that Node's parser rejects before the app (bad request line, header overflow, bad chunking) is answered
 *   by Node with an empty 400/431 body: the raw-socket test below checks status and no-hang and reports bodies.
 */
import { generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:net';
import { expect } from 'chai';
import { removeDir, tempDir } from '../support/agent.ts';
import { campaignTask, signedDelivery, taskCreatedBody } from '../support/fake-clickup.ts';
import { blockActionsPayload, type FakeMessage, signSlackRequest, slashCommandPayload } from '../support/fake-slack.ts';
import {
  API_TOKEN,
  AGENT_EMAIL,
  CLICKUP_SECRET,
  type Client,
  clickupEnv,
  type Digest,
  dbDigest,
  dbRows,
  digestDiff,
  ESCALATIONS,
  errorBodyProblem,
  type Fakes,
  httpClient,
  integrationsEnv,
  PUSH_ACCOUNT,
  PUSH_AUDIENCE,
  pushBody,
  quiesce,
  type RawRequest,
  type RawResponse,
  type Rng,
  SLACK_SECRET,
  seconds,
  seededRng,
  sleep,
  startAgentIn,
  startFakes,
  suiteSeed,
  until,
} from './reliability-kit.ts';

const LIMIT = 65_536;
const PER_AGENT = Number(process.env.RELIABILITY_REQUESTS) || 8_000;
const SEED = suiteSeed(0x5eed_bad1);
const CONCURRENCY = 16;
/** One connection per request, so a connection the server closes after one answer never fails the next. */
const KEEP_ALIVE = process.env.RELIABILITY_KEEP_ALIVE === '1';
const AUTH = { authorization: `Bearer ${API_TOKEN}` };
const JSON_TYPE = { 'content-type': 'application/json' };
const MAYA = 'maya@gmail.com';
const LEO = 'leo@gmail.com';
const ANA = 'ana@gmail.com';
const KIM = 'kim@gmail.com';
const AGENCY = 'Talent House';
const TASK = '86rel0001';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// ---------------------------------------------------------------------------------------------------------------
// The agents under test

interface Target {
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

const campaignBody = (id: string, influencers: { name: string; email: string; agency?: string }[]) => ({
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

async function stateOf(client: Client, id: string): Promise<string> {
  return (await client.json('GET', `/api/v1/negotiations/${id}`, undefined, AUTH)).body.state;
}

async function startSandboxTarget(fakes: Fakes): Promise<Target & { stop(): Promise<void> }> {
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

async function startIntegrationsTarget(fakes: Fakes): Promise<Target & { stop(): Promise<void> }> {
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
function slackBodiesFor(message: FakeMessage, fakes: Fakes, email: string): string[] {
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

// ---------------------------------------------------------------------------------------------------------------
// Generators of bad requests

interface Gen {
  cat: string;
  req: RawRequest;
  /** Exact statuses allowed; any 4xx when absent. */
  expect?: number[];
}

type Json = unknown;

const NOT_STRING: Json[] = [5, -1, 0, 1.5, true, false, null, [], {}, ['x'], { a: 1 }];
const NOT_MONEY: Json[] = [
  true,
  false,
  null,
  [],
  {},
  ['1'],
  { v: 1 },
  'abc',
  '-5',
  -5,
  -0.01,
  '1e5',
  '',
  ' ',
  '$',
  '12.3.4',
  'NaN',
  'Infinity',
  '1/2',
  '\u0661\u0660\u0660',
  '\uff15\uff10',
  'x'.repeat(41),
  '$-5',
  '--5',
  '5-',
  '0x10',
];
const NOT_DECIMAL: Json[] = [
  true,
  null,
  [],
  {},
  'abc',
  '-1',
  -1,
  '1e3',
  '',
  '$',
  '%',
  'x'.repeat(41),
  '1..2',
  '\u0661',
];
const NOT_BOOL: Json[] = ['yes', 'true', 1, 0, null, [], {}];
const tooLong = (max: number) => 'x'.repeat(max + 1);
const notText = (max: number): Json[] => ['', '   ', tooLong(max), ...NOT_STRING];

/** Field -> values its schema definitely refuses; `required` fields may also be dropped. */
interface Shape {
  required: string[];
  fields: Record<string, Json[]>;
  /** Unknown keys are refused (zod strictObject). */
  strict: boolean;
}

const CAMPAIGN: Shape = {
  strict: true,
  required: ['id', 'client', 'platform', 'deliverables'],
  fields: {
    id: ['', ' ', '-x', '.x', 'a'.repeat(129), 'a b', 'a/b', '\u00e9t\u00e9', 'x\u0000', 'a?b', ...NOT_STRING],
    client: notText(200),
    platform: ['Instagram', 'INSTAGRAM', 'facebook', '', 'insta gram', ...NOT_STRING],
    deliverables: notText(1000),
    budget: NOT_MONEY,
    cpmTarget: NOT_DECIMAL,
    cpmLeniency: NOT_DECIMAL,
    minCostPerInfluencer: NOT_MONEY,
    maxCostWithoutApproval: NOT_MONEY,
    productMonetaryValue: NOT_MONEY,
    deliverableScenarios: ['x', 5, null, {}, [''], [' '], [1], ['a', 'b', 'c', 'd'], [null]],
    sheetTab: notText(200),
    sheetId: notText(200),
    paymentTerms: notText(500),
    contentSyndication: NOT_BOOL,
    productAvailable: NOT_BOOL,
    exclusivityRequired: NOT_BOOL,
    rawFootageRequired: NOT_BOOL,
    usageRights: [
      'x',
      5,
      null,
      [],
      { foo: 1 },
      { target: 'x' },
      { target: { paidUsage: 'forever' } },
      { minimum: { whitelisting: 'days_31' } },
      { target: { x: 1 } },
    ],
    productDescription: notText(500),
    optimizeFor: ['CPM', 'x', '', 5, null],
    targetInfluencerCount: [-1, 1.5, 100001, '5', null, true],
    revisionRounds: [-1, 21, 0.5, '2', null],
    paymentMethods: ['PayPal', [''], [tooLong(100)], Array(21).fill('a'), [5], null],
    businessContext: notText(2000),
    influencers: [
      'x',
      5,
      null,
      {},
      [null],
      [5],
      ['x'],
      [{ unknownField: 1 }],
      [{ name: 5 }],
      [{ email: 'x'.repeat(321) }],
      [{ averageViews: true }],
      [{ averageViews: {} }],
      [{ averageViews: null }],
      [{ platform: tooLong(40) }],
      [{ agency: tooLong(200) }],
      [{ handle: [] }],
      [{ engagementRate: [] }],
      [{ minRate: tooLong(40) }],
    ],
  },
};

const ACTOR: Shape = { strict: true, required: [], fields: { by: ['', '   ', tooLong(200), ...NOT_STRING] } };

const APPROVE: Shape = {
  strict: true,
  required: ['rate'],
  fields: {
    // schema-invalid, then amounts the route refuses (not positive, not an amount)
    rate: [null, true, false, [], {}, tooLong(40), ['2600'], 'abc', '-5', -5, 0, '0', '0.00', '', '1e5', '0.001', '$'],
    by: [5, null, [], {}, tooLong(200)],
  },
};

const SANDBOX_MAIL: Shape = {
  strict: true,
  required: ['from', 'threadId', 'text'],
  fields: {
    from: ['', 'x', 'no-at-sign', '<>', `${'x'.repeat(320)}@a.b`, ...NOT_STRING],
    threadId: ['', '   ', tooLong(200), ...NOT_STRING],
    text: ['', ...NOT_STRING],
    subject: [tooLong(1000), ...NOT_STRING],
    messageId: ['', '  ', tooLong(500), ...NOT_STRING],
  },
};

const SLACK_ACTION: Shape = {
  strict: true,
  required: ['action', 'negotiationId', 'user'],
  fields: {
    action: ['APPROVE', 'approve ', 'delete', '', 'take-over', ...NOT_STRING],
    negotiationId: ['', tooLong(128), ...NOT_STRING],
    user: ['', '  ', tooLong(200), ...NOT_STRING],
    rate: [null, true, false, [], {}, tooLong(40)],
  },
};

const CLOCK: Shape = {
  strict: true,
  required: ['advanceHours'],
  fields: { advanceHours: [0, -1, -0.5, 87601, 1e9, '5', '1', null, true, [], {}] },
};

const NON_OBJECTS: Json[] = [[], [{}], 'str', '', 5, 0, -1, null, true, false];

/** Printable garbage, control characters, invalid surrogate halves, RTL and zero-width marks, emoji. No "@". */
function garbage(rng: Rng, max = 40): string {
  const pools = [
    () => String.fromCharCode(0x20 + rng.int(0x5f)).replace('@', '#'),
    () => String.fromCharCode(rng.int(0x20)),
    () => String.fromCharCode(0xd800 + rng.int(0x800)), // a lone surrogate half
    () => rng.pick(['\u202e', '\u200b', '\u200d', '\ufeff', '\u2028', '\u0000', '\uffff', '\ufffd']),
    () =>
      rng.pick(['\u{1f4a9}', '\u{1f600}', '\u0915\u094d\u0937', '\u00e9', '\u0430', '\uff04', 'Z\u0351\u0352\u0353']),
    () => String.fromCodePoint(0x80 + rng.int(0x10ff7f - 0x80)).replace(/[\ud800-\udfff]/, '?'),
  ];
  let out = '';
  const n = 1 + rng.int(max);
  for (let i = 0; i < n; i++) out += rng.pick(pools)();
  return out;
}

/** A body that breaks `shape` in at least one definite way (plus maybe some noise), from a `base` body. */
function invalidBody(rng: Rng, shape: Shape, base: Record<string, Json>, unicode = false): Json {
  const body: Record<string, Json> = { ...base };
  const definite = rng.int(shape.strict ? 4 : 3);
  const fieldNames = Object.keys(shape.fields);
  const badValue = (field: string) => {
    const candidates = shape.fields[field];
    if (!unicode || rng.chance(0.5)) return rng.pick(candidates);
    // Garbage that no field accepts: an object with a garbage key (strict or not a object field), or a string
    // longer than any string field allows (the sandbox mail text allows 100,000 characters: an object there).
    const longString = typeof candidates[0] === 'string' && field !== 'text' && rng.chance(0.5);
    return longString ? `${garbage(rng)}${tooLong(2000)}` : { [`${garbage(rng, 12)}\u0000`]: garbage(rng) };
  };
  if (definite === 0 && shape.required.length) delete body[rng.pick(shape.required)];
  else if (definite === 1 || (definite === 0 && !shape.required.length)) {
    const field = rng.pick(fieldNames);
    body[field] = badValue(field);
  } else if (definite === 2) {
    return rng.chance(0.3) ? [body] : rng.pick(NON_OBJECTS);
  } else {
    const key = unicode
      ? garbage(rng, 12) || 'x'
      : rng.pick(['__proto__', 'constructor', 'toString', 'extra', 'ID', 'Id', 'rate ', ' by', '', 'by\u0000', 'x.y']);
    if (key in shape.fields) body.unknownField = 1;
    else body[key] = unicode ? garbage(rng) : rng.pick([1, 'x', null, {}, []]);
  }
  // Noise: more wrong fields, sometimes.
  for (let i = rng.int(3); i > 0; i--) {
    const field = rng.pick(fieldNames);
    if (rng.chance(0.5)) body[field] = badValue(field);
  }
  return body;
}

/** JSON with the `__proto__` key written as an own property (JSON.stringify drops it from object literals). */
function stringify(value: Json): string {
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, '__proto__')) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) out[k === '__proto__' ? '\u0000proto' : k] = v[k];
      return out;
    }
    return v;
  }).replaceAll('"\\u0000proto"', '"__proto__"');
}

function deepJson(rng: Rng, depth: number): string {
  if (rng.chance(0.5)) return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Bodies that are not JSON (checked: none of them parses). */
function badJson(rng: Rng, valid: string): string {
  const fixed = [
    '{',
    '}',
    '{"a":}',
    "{'a':1}",
    '{"a":1,}',
    '[1,2',
    '{"a":1}}',
    '{"a"::1}',
    'NaN',
    'undefined',
    '\ufeff{}',
    '{"a":"\\x"}',
    '0x10',
    '-',
    '"unterminated',
    'tru',
    '{a:1}',
    '{"a":01}',
    '{"a":.5}',
    '{"a":+1}',
    '{"a":1} {"b":2}',
    '/* c */ {}',
    '{"a":"\t"}',
    '\u0000',
    '\\',
    "{'rate':'2600'}",
    '{"rate":2600',
  ];
  for (let i = 0; i < 5; i++) {
    const candidate = rng.chance(0.6)
      ? rng.pick(fixed)
      : rng.chance(0.5)
        ? valid.slice(0, 1 + rng.int(Math.max(1, valid.length - 1)))
        : `${valid.slice(0, rng.int(valid.length))}${rng.pick(['"', '{', ',', ':', '\\', ']'])}${valid.slice(rng.int(valid.length))}`;
    try {
      JSON.parse(candidate);
    } catch {
      return candidate;
    }
  }
  return '{';
}

/** Routes of the app (methods as registered); `:id` etc. are filled per target. */
interface RouteSpec {
  path: (t: Target, rng: Rng) => string;
  methods: string[];
}

const CONTROLS = ['pause', 'resume', 'stop', 'claim', 'release', 'walk-away'];

const ROUTES: RouteSpec[] = [
  { path: () => '/health', methods: ['GET'] },
  { path: () => '/ready', methods: ['GET'] },
  { path: () => '/metrics', methods: ['GET'] },
  { path: () => '/', methods: ['GET'] },
  { path: () => '/dashboard', methods: ['GET'] },
  { path: (_t, r) => `/dashboard/assets/${r.pick(['app.js', 'style.css', 'nope.js'])}`, methods: ['GET'] },
  { path: () => '/api/v1/campaigns', methods: ['GET', 'POST'] },
  { path: (t) => `/api/v1/campaigns/${t.campaignId}`, methods: ['GET'] },
  { path: () => '/api/v1/negotiations', methods: ['GET'] },
  { path: (t, r) => `/api/v1/negotiations/${r.pick(t.all)}`, methods: ['GET'] },
  ...[...CONTROLS, 'approve', 'unpark'].map((action) => ({
    path: (t: Target, r: Rng) => `/api/v1/negotiations/${r.pick(t.all)}/${action}`,
    methods: ['POST'],
  })),
  { path: () => `/api/v1/agencies/${encodeURIComponent(AGENCY)}/stop`, methods: ['POST'] },
  { path: () => '/api/v1/events', methods: ['GET'] },
  { path: () => '/api/v1/machine', methods: ['GET'] },
  { path: () => '/webhooks/gmail', methods: ['POST'] },
  { path: () => '/webhooks/clickup', methods: ['POST'] },
  { path: () => '/slack/events', methods: ['POST'] },
  { path: () => '/sandbox/mail', methods: ['GET', 'POST'] },
  { path: () => '/sandbox/slack', methods: ['GET'] },
  { path: () => '/sandbox/slack/actions', methods: ['POST'] },
  { path: () => '/sandbox/clock', methods: ['POST'] },
];

const isProtected = (path: string) => /^\/(api|sandbox)\//i.test(path);
const withAuth = (path: string, headers: Record<string, string> = {}) =>
  isProtected(path) ? { ...AUTH, ...headers } : headers;

/** A valid, state-changing request for each protected route: what a missing or wrong token must not let through. */
function dangerous(t: Target, rng: Rng): { method: string; path: string; body?: Json } {
  const options: { method: string; path: string; body?: Json }[] = [
    {
      method: 'POST',
      path: '/api/v1/campaigns',
      body: campaignBody(`cmp-x${rng.int(1e6)}`, [{ name: 'Zed', email: 'zed@z.example' }]),
    },
    { method: 'POST', path: `/api/v1/negotiations/${t.awaiting}/pause`, body: {} },
    { method: 'POST', path: `/api/v1/negotiations/${t.awaiting}/stop` },
    { method: 'POST', path: `/api/v1/negotiations/${t.awaiting}/claim`, body: { by: 'mallory' } },
    { method: 'POST', path: `/api/v1/negotiations/${t.escalated}/approve`, body: { rate: '2600.00' } },
    { method: 'POST', path: `/api/v1/negotiations/${t.escalated}/walk-away`, body: {} },
    { method: 'POST', path: `/api/v1/agencies/${encodeURIComponent(AGENCY)}/stop`, body: {} },
    {
      method: 'POST',
      path: '/sandbox/mail',
      body: { from: MAYA, threadId: rng.pick(t.threads), text: "Sounds great, let's do it!" },
    },
    {
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: { action: 'approve', negotiationId: t.escalated, user: 'U0X', rate: '2600' },
    },
    { method: 'POST', path: '/sandbox/clock', body: { advanceHours: 100 } },
    { method: 'GET', path: '/api/v1/campaigns' },
    { method: 'GET', path: `/api/v1/campaigns/${t.campaignId}` },
    { method: 'GET', path: '/api/v1/negotiations' },
    { method: 'GET', path: `/api/v1/negotiations/${rng.pick(t.all)}` },
    { method: 'GET', path: '/api/v1/events' },
    { method: 'GET', path: '/api/v1/machine' },
    { method: 'GET', path: '/sandbox/mail' },
    { method: 'GET', path: '/sandbox/slack' },
  ];
  return rng.pick(options);
}

const BAD_AUTH = (rng: Rng): Record<string, string> =>
  rng.pick<Record<string, string>>([
    {},
    { authorization: '' },
    { authorization: 'Bearer' },
    { authorization: 'Bearer x' },
    { authorization: `Bearer ${API_TOKEN}x` },
    { authorization: `Bearer ${API_TOKEN.slice(0, -1)}` },
    { authorization: `bearer ${API_TOKEN}` },
    { authorization: `BEARER ${API_TOKEN}` },
    { authorization: `Bearer  ${API_TOKEN}` },
    { authorization: `Bearer\t${API_TOKEN}` },
    { authorization: `Basic ${Buffer.from(`api:${API_TOKEN}`).toString('base64')}` },
    { authorization: API_TOKEN },
    { authorization: `Token ${API_TOKEN}` },
    { authorization: `Bearer ${API_TOKEN.toUpperCase()}` },
    { authorization: `Bearer ${Buffer.from(API_TOKEN).toString('base64')}` },
    { authorization: `Bearer ${'a'.repeat(4000)}` },
    { authorization: `Bearer ${API_TOKEN}\u00ff` },
    { authorization: `Bearer \u00e9\u00e8${API_TOKEN}` },
    { authorization: `Bearer ${API_TOKEN},Bearer ${API_TOKEN}` },
    { 'x-api-token': API_TOKEN },
    { 'x-api-key': API_TOKEN },
    { cookie: `token=${API_TOKEN}` },
    { 'proxy-authorization': `Bearer ${API_TOKEN}` },
  ]);

/** Case and encoding variants of protected paths: none may reach a handler without the token. */
function pathVariant(rng: Rng, path: string): string {
  return rng.pick([
    path,
    path,
    path,
    `${path}?access_token=${API_TOKEN}`,
    `${path}?token=${API_TOKEN}`,
    path.replace('/api/', '/API/'),
    path.replace('/api/', '/Api/'),
    path.replace('/sandbox/', '/SANDBOX/'),
    path.replace('/api/v1/', '/api/V1/'),
    `${path}/`,
    path.replace(/^\//, '//'),
    `/.${path}`,
    `/x/..${path}`,
    path.replace('/api/', '/%61pi/'),
    path.replace('/sandbox/', '/%73andbox/'),
    path.replace('/api/v1/', '/api/v1/./'),
    path.replace('/api/v1/', '/api/v1//'),
    `${path}%00`,
    `${path};x=1`,
    `${path}#frag`,
  ]);
}

function gmailBadTokens(fakes: Fakes, rng: Rng): string[] {
  const now = Math.floor(Date.now() / 1000);
  const g = fakes.google;
  const good = g.signIdToken({ aud: PUSH_AUDIENCE, email: PUSH_ACCOUNT });
  const [, payload] = good.split('.');
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const tokens = [
    '',
    'Bearer',
    'Bearer ',
    'Bearer x',
    'Bearer a.b.c',
    `Basic ${good}`,
    good, // no scheme
    `Bearer ${good}x`,
    `Bearer ${good.slice(0, -4)}`,
    `Bearer ${good.split('.').slice(0, 2).join('.')}`,
    `Bearer ${g.signIdToken({ aud: 'https://someone-else.example', email: PUSH_ACCOUNT })}`,
    `Bearer ${g.signIdToken({ aud: PUSH_AUDIENCE, email: 'attacker@evil.example' })}`,
    `Bearer ${g.signIdToken({ aud: PUSH_AUDIENCE, email: PUSH_ACCOUNT, email_verified: false })}`,
    `Bearer ${g.signIdToken({ aud: PUSH_AUDIENCE, email: PUSH_ACCOUNT, exp: now - 3600 })}`,
    `Bearer ${g.signIdToken({ aud: PUSH_AUDIENCE, email: PUSH_ACCOUNT, iat: now + 3600, exp: now + 7200 })}`,
    `Bearer ${g.signIdToken({ aud: PUSH_AUDIENCE, email: PUSH_ACCOUNT, exp: now + 86400 * 30 })}`,
    `Bearer ${g.signIdToken({ aud: PUSH_AUDIENCE, email: PUSH_ACCOUNT, iss: 'https://evil.example' })}`,
    `Bearer ${g.signIdToken({ aud: PUSH_AUDIENCE, email: PUSH_ACCOUNT, kid: 'not-a-known-kid' })}`,
    `Bearer ${g.signIdToken({ aud: PUSH_AUDIENCE, email: PUSH_ACCOUNT, key: privateKey })}`,
    `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    `Bearer ${b64({ alg: 'HS256', typ: 'JWT', kid: g.kid })}.${payload}.${Buffer.from('sig').toString('base64url')}`,
    `Bearer ${b64({ alg: 'RS256', kid: g.kid })}.${b64({ aud: PUSH_AUDIENCE })}.${good.split('.')[2]}`,
    `Bearer ${'a'.repeat(10)}.${'b'.repeat(10)}.${'c'.repeat(10)}`,
    `Bearer ${Buffer.from('{"alg":').toString('base64url')}.${payload}.xx`,
    `Bearer ${'a'.repeat(8000)}`,
    `Bearer \u00e9${good}`,
  ];
  return rng.shuffle(tokens);
}

const SLACK_BAD_SIGNATURES = (body: string, rng: Rng): Record<string, string> => {
  const now = Math.floor(Date.now() / 1000);
  const good = signSlackRequest(body, SLACK_SECRET);
  return rng.pick<Record<string, string>>([
    {},
    { 'x-slack-request-timestamp': String(now) },
    { 'x-slack-signature': good['x-slack-signature'] },
    signSlackRequest(body, 'not-the-secret'),
    signSlackRequest(body, SLACK_SECRET, now - 3600),
    signSlackRequest(body, SLACK_SECRET, now + 3600),
    signSlackRequest(`${body}x`, SLACK_SECRET),
    { ...good, 'x-slack-signature': good['x-slack-signature'].replace('v0=', 'v1=') },
    { ...good, 'x-slack-signature': good['x-slack-signature'].toUpperCase() },
    { ...good, 'x-slack-signature': `${good['x-slack-signature']}0` },
    { ...good, 'x-slack-signature': 'v0=' },
    { ...good, 'x-slack-signature': `v0=${'g'.repeat(64)}` },
    { ...good, 'x-slack-request-timestamp': `${now}.5` },
    { ...good, 'x-slack-request-timestamp': '-1' },
    { ...good, 'x-slack-request-timestamp': 'x' },
    { ...good, 'x-slack-request-timestamp': String(now + 1) },
    { ...good, 'x-slack-request-timestamp': '9'.repeat(13) },
  ]);
};

const CLICKUP_BAD_SIGNATURES = (raw: string, rng: Rng): Record<string, string> => {
  const good = signedDelivery(raw, CLICKUP_SECRET).headers['X-Signature'];
  return rng.pick<Record<string, string>>([
    {},
    { 'x-signature': '' },
    { 'x-signature': signedDelivery(raw, 'wrong-secret').headers['X-Signature'] },
    { 'x-signature': signedDelivery(`${raw} `, CLICKUP_SECRET).headers['X-Signature'] },
    { 'x-signature': `sha256=${good}` },
    { 'x-signature': good.slice(0, 63) },
    { 'x-signature': `${good}0` },
    { 'x-signature': 'z'.repeat(64) },
    { 'x-signature': Buffer.from(good, 'hex').toString('base64') },
    { 'x-signature': '0'.repeat(64) },
    { 'x-hub-signature': good },
    { signature: good },
  ]);
};

/** Signed Slack bodies that no listener can handle: unparseable, not an object, or missing what Slack always sends. */
const SLACK_SIGNED_GARBAGE: [string, string][] = (() => {
  const form = 'application/x-www-form-urlencoded';
  const json = 'application/json';
  const p = (o: unknown) => `payload=${encodeURIComponent(JSON.stringify(o))}`;
  return [
    ['payload=%7Bnot', form],
    ['payload=', form],
    [p(null), form],
    [p('x'), form],
    [p(5), form],
    [p([]), form],
    [p({}), form],
    [p({ type: 'nope' }), form],
    [p({ type: 'block_actions' }), form],
    [p({ type: 'block_actions', user: { id: 'U1' }, actions: [] }), form],
    [p({ type: 'block_actions', actions: [{ action_id: 'approve', type: 'button' }] }), form],
    [p({ type: 'block_actions', user: null, actions: [{ action_id: 'approve', type: 'button' }] }), form],
    [p({ type: 'view_submission' }), form],
    [p({ type: 'view_submission', view: null }), form],
    [p({ type: 'view_submission', view: { callback_id: 'approve_other' } }), form],
    [p({ type: 'view_closed' }), form],
    [p({ type: 'shortcut' }), form],
    [p({ type: 'message_action' }), form],
    [p({ type: 'block_suggestion' }), form],
    [p({ type: 'dialog_submission' }), form],
    ['a=b', form],
    ['command=%2Fnope', form],
    ['%%%', form],
    ['{', json],
    ['null', json],
    ['[]', json],
    ['"x"', json],
    ['5', json],
    ['{}', json],
    [JSON.stringify({ type: 'event_callback', event: null }), json],
    ['hello', 'text/plain'],
    ['a=b', ''],
  ];
})();

const CLICKUP_MALFORMED: Json[] = [
  {},
  [],
  null,
  5,
  'x',
  { event: 5 },
  { event: '' },
  { event: tooLong(100) },
  { event: null, task_id: TASK },
  { event: 'taskCreated', task_id: '../x' },
  { event: 'taskCreated', task_id: 'a b' },
  { event: 'taskCreated', task_id: 'x'.repeat(65) },
  { event: 'taskCreated', task_id: -1 },
  { event: 'taskCreated', task_id: 1.5 },
  { event: 'taskCreated', task_id: {} },
  { event: 'taskCreated', task_id: [] },
  { event: 'taskCreated', task_id: '\u00e9t\u00e9' },
  { event: 'taskCreated', task_id: '' },
  { event: 'taskCreated', task_id: TASK, history_items: 'x' },
  { event: 'taskCreated', task_id: TASK, history_items: [{}] },
  { event: 'taskCreated', task_id: TASK, history_items: [{ id: '' }] },
  { event: 'taskCreated', task_id: TASK, history_items: [null] },
  { event: 'taskCreated', task_id: TASK, history_items: Array.from({ length: 1001 }, (_, i) => ({ id: String(i) })) },
  { event: 'taskCreated', task_id: TASK, webhook_id: tooLong(200) },
  { event: 'taskCreated', task_id: TASK, webhook_id: 5 },
];

const PUSH_MALFORMED = (): Json[] => {
  const data = (o: unknown) => ({
    message: { data: Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64') },
  });
  return [
    {},
    [],
    null,
    'x',
    { message: null },
    { message: 'x' },
    { message: [] },
    { message: {} },
    { message: { data: '' } },
    { message: { data: 5 } },
    { message: { data: '!!!!' } },
    { message: { data: 'a b' } },
    { message: { data: '====' } },
    { message: { data: 'abc\u00e9' } },
    data('not json'),
    data([]),
    data('"str"'),
    data('null'),
    data({}),
    data({ emailAddress: 5, historyId: 1 }),
    data({ emailAddress: 'nope', historyId: 1 }),
    data({ emailAddress: AGENT_EMAIL }),
    data({ emailAddress: AGENT_EMAIL, historyId: -1 }),
    data({ emailAddress: AGENT_EMAIL, historyId: 1.5 }),
    data({ emailAddress: AGENT_EMAIL, historyId: 'abc' }),
    data({ emailAddress: AGENT_EMAIL, historyId: '' }),
    data({ emailAddress: AGENT_EMAIL, historyId: null }),
    data({ emailAddress: AGENT_EMAIL, historyId: {} }),
    data({ emailAddress: AGENT_EMAIL, historyId: '1e5' }),
  ];
};

const UNKNOWN_PATHS = [
  '/api',
  '/api/v1',
  '/api/v2/campaigns',
  '/api/v1/campaign',
  '/api/v1/negotiation',
  '/api/v1/negotiations/x/y/z',
  '/api/v1/negotiations/neg-0000000000000000/approve/extra',
  '/api/v1/agencies',
  '/api/v1/agencies/x',
  '/api/v1/agencies/x/start',
  '/sandbox',
  '/sandbox/mail/x',
  '/sandbox/slack/x',
  '/sandbox/clock/x',
  '/webhooks',
  '/webhooks/slack',
  '/webhooks/gmail/x',
  '/webhooks/clickup/x',
  '/slack',
  '/slack/event',
  '/slack/events/x',
  '/.env',
  '/.git/config',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/dashboard/assets/',
  '/dashboard/assets/../../package.json',
  '/dashboard/assets/.hidden.js',
  '/dashboard/assets/x.exe',
  '/dashboard/assets/%2e%2e%2fpackage.json',
  '/dashboard/x',
  '/favicon.ico',
  '/robots.txt',
  '/Health',
  '/HEALTH',
  '/metrics/x',
  '/index.html',
  '/web/app.js',
  '/server/main.ts',
  '/%00',
  '/%ff%fe',
  '/%c0%af',
];

const EXOTIC_METHODS = ['PROPFIND', 'PURGE', 'TRACE', 'LOCK', 'MKCOL', 'COPY', 'MOVE', 'SEARCH', 'REPORT', 'QUERY'];

/** Percent-encoded garbage for a path segment (never a real id once decoded). */
function badSegment(rng: Rng): string {
  return rng.pick([
    '%20',
    '%20%20',
    '-x',
    '.',
    '..',
    '%2e%2e',
    '%2F',
    'a%2Fb',
    '%00',
    'x%00y',
    '%E0%A4%A',
    '%ff',
    '%c0%af',
    `${pct(garbage(rng, 20))}%00`,
    'a'.repeat(129),
    'x'.repeat(3000),
    'neg-0000000000000000',
    'NEG-0000000000000000',
    'neg-%30000',
    '%7B%7D',
    '*',
    '%2A',
    'null',
    'undefined',
    '__proto__',
    'constructor',
  ]);
}

/** Percent-encodes the UTF-8 bytes of any string (lone surrogates become U+FFFD), unlike encodeURIComponent. */
function pct(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

function json(value: Json): Buffer {
  return Buffer.from(stringify(value), 'utf8');
}

const CONTROL_BASE = (): Record<string, Json> => ({ by: 'reliability' });

/** Picks the route-specific generator of schema-invalid bodies. */
function schemaInvalid(t: Target, rng: Rng, unicode: boolean): { method: string; path: string; body: Json } {
  const id = rng.pick(t.all);
  const choice = rng.int(9);
  switch (choice) {
    case 0:
      return {
        method: 'POST',
        path: '/api/v1/campaigns',
        body: invalidBody(
          rng,
          CAMPAIGN,
          campaignBody(rng.chance(0.5) ? t.campaignId : `cmp-new-${rng.int(1e6)}`, [
            { name: 'Zed', email: 'zed@z.example' },
          ]),
          unicode,
        ),
      };
    case 1:
      return {
        method: 'POST',
        path: `/api/v1/negotiations/${id}/${rng.pick(CONTROLS)}`,
        body: invalidBody(rng, ACTOR, CONTROL_BASE(), unicode),
      };
    case 2:
      return {
        method: 'POST',
        path: `/api/v1/negotiations/${rng.chance(0.6) ? t.escalated : id}/approve`,
        body: invalidBody(rng, APPROVE, { rate: '2600.00', by: 'reliability' }, unicode),
      };
    case 3:
      return { method: 'POST', path: `/api/v1/negotiations/${id}/unpark`, body: invalidBody(rng, ACTOR, {}, unicode) };
    case 4:
      return {
        method: 'POST',
        path: `/api/v1/agencies/${encodeURIComponent(AGENCY)}/stop`,
        body: invalidBody(rng, ACTOR, CONTROL_BASE(), unicode),
      };
    case 5:
      return {
        method: 'POST',
        path: '/sandbox/mail',
        body: invalidBody(
          rng,
          SANDBOX_MAIL,
          { from: MAYA, threadId: rng.pick(t.threads), text: "Sounds great, let's do it!" },
          unicode,
        ),
      };
    case 6:
      return {
        method: 'POST',
        path: '/sandbox/slack/actions',
        body: invalidBody(
          rng,
          SLACK_ACTION,
          {
            action: rng.pick(['approve', 'walk_away', 'take_over']),
            negotiationId: t.escalated,
            user: 'U0FUZZ',
            rate: '2600',
          },
          unicode,
        ),
      };
    case 7:
      return { method: 'POST', path: '/sandbox/clock', body: invalidBody(rng, CLOCK, { advanceHours: 100 }, unicode) };
    default: {
      // A list query that breaks its schema (GET, so the query string carries the garbage).
      const bad = rng.pick([
        'foo=1',
        'state=bogus',
        'state=AGREED',
        'state=',
        'limit=0',
        'limit=1001',
        'limit=abc',
        'limit=-1',
        'limit=1.5',
        'limit=',
        'offset=-1',
        'offset=x',
        'offset=1e400',
        'campaign=-bad',
        `campaign=${'x'.repeat(129)}`,
        'campaign=a&campaign=b',
        'state=agreed&state=rejected',
        'campaign[]=x',
        'campaign=%FF%FE',
        `state=${pct(garbage(rng, 8))}x`,
        `${pct(garbage(rng, 8))}x=1`,
      ]);
      const good = rng.pick(['', 'limit=5&', `campaign=${t.campaignId}&`, 'state=escalated&']);
      return { method: 'GET', path: `/api/v1/negotiations?${good}${bad}`, body: undefined };
    }
  }
}

/** Commands that are well formed but that the negotiation's state (or its absence) forbids. */
function stateInvalid(t: Target, rng: Rng): { method: string; path: string; body?: Json } {
  const options: (() => { method: string; path: string; body?: Json })[] = [
    () => ({
      method: 'POST',
      path: `/api/v1/negotiations/${t.awaiting}/${rng.pick(['resume', 'release', 'walk-away'])}`,
      body: {},
    }),
    () => ({ method: 'POST', path: `/api/v1/negotiations/${rng.pick(t.all)}/unpark`, body: {} }),
    () => ({
      method: 'POST',
      path: `/api/v1/negotiations/${t.escalated}/${rng.pick(['resume', 'release'])}`,
      body: {},
    }),
    () => ({
      method: 'POST',
      path: `/api/v1/negotiations/${t.awaiting}/approve`,
      body: { rate: rng.pick(['2600', 2600, '2000.00']) },
    }),
    () => ({
      method: 'POST',
      path: `/api/v1/negotiations/${t.escalated}/approve`,
      body: { rate: rng.pick(['1999.99', '5', '0.01', 1000, '3200.01', '999999', 1e6, '1,000,000', '$1,999', '9k']) },
    }),
    () => ({
      method: 'POST',
      path: `/api/v1/negotiations/neg-${'0'.repeat(16)}/${rng.pick([...CONTROLS, 'unpark'])}`,
      body: {},
    }),
    () => ({ method: 'POST', path: `/api/v1/negotiations/neg-${'0'.repeat(16)}/approve`, body: { rate: '2600' } }),
    () => ({ method: 'GET', path: `/api/v1/negotiations/neg-${'f'.repeat(16)}` }),
    () => ({ method: 'GET', path: `/api/v1/campaigns/cmp-${'0'.repeat(8)}` }),
    () => ({
      method: 'POST',
      path: '/api/v1/campaigns',
      body: {
        ...campaignBody(t.campaignId, [{ name: 'Maya Lopez', email: MAYA, agency: AGENCY }]),
        budget: String(50001 + rng.int(1000)),
      },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/mail',
      body: { from: MAYA, threadId: `no-such-thread-${rng.int(1e6)}`, text: 'hello' },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: { action: 'approve', negotiationId: t.awaiting, user: 'U0X', rate: '2600' },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: { action: 'approve', negotiationId: t.escalated, user: 'U0X', rate: '1500' },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: { action: 'approve', negotiationId: t.escalated, user: 'U0X' },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: { action: 'resume', negotiationId: t.awaiting, user: 'U0X' },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: { action: 'walk_away', negotiationId: t.awaiting, user: 'U0X' },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: {
        action: rng.pick(['approve', 'walk_away', 'take_over', 'resume']),
        negotiationId: 'neg-nope',
        user: 'U0X',
        rate: '2600',
      },
    }),
  ];
  if (t.terminal.length) {
    options.push(() => ({
      method: 'POST',
      path: `/api/v1/negotiations/${rng.pick(t.terminal)}/${rng.pick([...CONTROLS, 'approve'])}`,
      body: rng.chance(0.5) ? {} : { rate: '2600' },
    }));
    options.push(() => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: {
        action: rng.pick(['take_over', 'walk_away', 'resume']),
        negotiationId: rng.pick(t.terminal),
        user: 'U0X',
      },
    }));
  }
  const pick = rng.pick(options)();
  // The actor body of a control must stay valid here: `{}` would still be fine, a rate is not.
  if (
    /\/(pause|resume|stop|claim|release|walk-away|unpark)$/.test(pick.path) &&
    pick.body &&
    'rate' in (pick.body as object)
  ) {
    pick.body = {};
  }
  return pick;
}

const CATEGORIES: [string, number][] = [
  ['auth', 12],
  ['method', 8],
  ['exotic_method', 2],
  ['content_type', 6],
  ['bad_json', 10],
  ['schema', 22],
  ['unicode', 8],
  ['huge', 4],
  ['deep', 4],
  ['unknown_route', 6],
  ['bad_id', 5],
  ['state', 5],
  ['webhook_credentials', 6],
  ['webhook_malformed', 4],
  ['request_id', 2],
];
const TOTAL_WEIGHT = CATEGORIES.reduce((s, [, w]) => s + w, 0);

function pickCategory(rng: Rng): string {
  let x = rng.int(TOTAL_WEIGHT);
  for (const [cat, w] of CATEGORIES) {
    if (x < w) return cat;
    x -= w;
  }
  return 'schema';
}

function generate(t: Target, rng: Rng, hugeBodies: Buffer[], badPushTokens: string[]): Gen {
  const cat = pickCategory(rng);
  const jsonReq = (method: string, path: string, body: Json, extra: Record<string, string> = {}): RawRequest => ({
    method,
    path,
    headers: withAuth(path, { ...JSON_TYPE, ...extra }),
    body: body === undefined ? undefined : json(body),
  });
  switch (cat) {
    case 'auth': {
      const d = dangerous(t, rng);
      const path = pathVariant(rng, d.path);
      const headers = { ...(d.body === undefined ? {} : JSON_TYPE), ...BAD_AUTH(rng) };
      // Path variants that do not start with a protected prefix any more (`//api/…`, `/%61pi/…`, `/x/../api/…`)
      // match no route: any 4xx, as long as no handler runs (the digest shows it).
      const stillProtected = isProtected(path);
      return {
        cat,
        req: { method: d.method, path, headers, body: d.body === undefined ? undefined : json(d.body) },
        expect: stillProtected ? [401] : undefined,
      };
    }
    case 'method': {
      const route = rng.pick(ROUTES);
      const path = route.path(t, rng);
      const wrong = rng.pick(
        ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].filter(
          (m) => !route.methods.includes(m) && !(m === 'HEAD' && route.methods.includes('GET')),
        ),
      );
      const body =
        ['POST', 'PUT', 'PATCH'].includes(wrong) && rng.chance(0.7)
          ? json(rng.pick([{}, { by: 'x' }, { rate: '2600' }]))
          : undefined;
      return { cat, req: { method: wrong, path, headers: withAuth(path, body ? JSON_TYPE : {}), body } };
    }
    case 'exotic_method': {
      const route = rng.pick(ROUTES);
      const path = route.path(t, rng);
      return { cat, req: { method: rng.pick(EXOTIC_METHODS), path, headers: withAuth(path) } };
    }
    case 'content_type': {
      const d = rng.chance(0.5) ? dangerous(t, rng) : schemaInvalid(t, rng, false);
      const method = d.method === 'GET' ? 'POST' : d.method;
      const body =
        d.body === undefined || (typeof d.body === 'object' && d.body !== null && !Object.keys(d.body).length)
          ? { by: 'x' }
          : d.body;
      const type = rng.pick([
        null,
        'text/plain',
        'text/plain; charset=utf-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'text/json',
        'application/jsonp',
        'application/json-patch+json',
        'application/vnd.api+json',
        'application/octet-stream',
        'image/png',
        ';;;',
        'application/',
        '*/*',
        'json',
        'application/json\u00ff',
      ]);
      const path = d.path.split('?')[0];
      const headers = withAuth(path, type === null ? {} : { 'content-type': type });
      return { cat, req: { method, path, headers, body: json(body) } };
    }
    case 'bad_json': {
      const d = rng.chance(0.5) ? dangerous(t, rng) : schemaInvalid(t, rng, false);
      const method = d.method === 'GET' ? 'POST' : d.method;
      const path = rng.chance(0.85)
        ? d.path.split('?')[0]
        : rng.pick(['/webhooks/gmail', '/webhooks/clickup', '/slack/events']);
      const valid = stringify(d.body ?? { by: 'x' });
      return {
        cat,
        req: {
          method,
          path,
          headers: withAuth(path, JSON_TYPE),
          body: Buffer.from(badJson(rng, valid)),
          chunked: rng.chance(0.2),
        },
      };
    }
    case 'schema':
    case 'unicode': {
      const d = schemaInvalid(t, rng, cat === 'unicode');
      if (cat === 'unicode' && rng.chance(0.25)) {
        // Raw invalid UTF-8 inside otherwise well-formed JSON, plus an unknown key so the body is always refused.
        const raw = Buffer.concat([
          Buffer.from('{"x\u00e9":"'),
          Buffer.from(Array.from({ length: 1 + rng.int(20) }, () => 0x80 + rng.int(0x80))),
          Buffer.from(`","by":"${'\\ud800'}"}`),
        ]);
        const path = d.method === 'GET' ? `/api/v1/negotiations/${rng.pick(t.all)}/pause` : d.path;
        return { cat, req: { method: 'POST', path, headers: withAuth(path, JSON_TYPE), body: raw } };
      }
      return { cat, req: jsonReq(d.method, d.path, d.body) };
    }
    case 'huge': {
      const d = rng.chance(0.7)
        ? dangerous(t, rng)
        : { method: 'POST', path: rng.pick(['/webhooks/gmail', '/webhooks/clickup', '/slack/events', '/nowhere']) };
      const method = d.method === 'GET' ? 'POST' : d.method;
      const path = d.path.split('?')[0];
      const body = rng.pick(hugeBodies);
      const headers = withAuth(path, {
        'content-type':
          path === '/slack/events' && t.has.slackHttp ? 'application/x-www-form-urlencoded' : 'application/json',
      });
      return { cat, req: { method, path, headers, body, chunked: rng.chance(0.4) }, expect: [413] };
    }
    case 'deep': {
      const depth = rng.pick([64, 512, 5_000, 10_000, 20_000, 30_000]);
      const d = rng.chance(0.5) ? dangerous(t, rng) : schemaInvalid(t, rng, false);
      const method = d.method === 'GET' ? 'POST' : d.method;
      const path = rng.chance(0.85)
        ? d.path.split('?')[0]
        : rng.pick(['/webhooks/gmail', '/webhooks/clickup', '/slack/events']);
      const deep = deepJson(rng, depth);
      const field = rng.pick(['by', 'rate', 'text', 'influencers', 'advanceHours', 'message', 'event', 'id', 'action']);
      const body = rng.chance(0.3) ? deep : `{"${field}":${deep}}`;
      return { cat, req: { method, path, headers: withAuth(path, JSON_TYPE), body: Buffer.from(body) } };
    }
    case 'unknown_route': {
      const path = rng.chance(0.7) ? rng.pick(UNKNOWN_PATHS) : `/${pct(garbage(rng, 30))}x/${badSegment(rng)}`;
      const method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
      const body = method === 'GET' || method === 'DELETE' ? undefined : json({ by: 'x' });
      // With the token (or without: an unknown path under /api or /sandbox is then 401).
      const headers = rng.chance(0.7) ? { ...AUTH, ...(body ? JSON_TYPE : {}) } : body ? JSON_TYPE : {};
      return { cat, req: { method, path, headers, body } };
    }
    case 'bad_id': {
      const seg = badSegment(rng);
      const options: RawRequest[] = [
        { method: 'GET', path: `/api/v1/negotiations/${seg}` },
        { method: 'GET', path: `/api/v1/campaigns/${seg}` },
        { method: 'POST', path: `/api/v1/negotiations/${seg}/${rng.pick([...CONTROLS, 'unpark'])}`, body: json({}) },
        { method: 'POST', path: `/api/v1/negotiations/${seg}/approve`, body: json({ rate: '2600' }) },
        {
          method: 'POST',
          path: `/api/v1/agencies/${rng.pick(['%20', '%20%20%20', '%09', 'a'.repeat(201), '%C3%A9'.repeat(201)])}/stop`,
          body: json({}),
        },
      ];
      const r = rng.pick(options);
      return { cat, req: { ...r, headers: withAuth(r.path, r.body ? JSON_TYPE : {}) } };
    }
    case 'state': {
      const d = stateInvalid(t, rng);
      return { cat, req: jsonReq(d.method, d.path, d.body) };
    }
    case 'webhook_credentials': {
      const which = rng.int(3);
      if (which === 0) {
        const body = json(rng.pick(t.pushBodies));
        const token = rng.pick(badPushTokens);
        return {
          cat,
          req: {
            method: 'POST',
            path: '/webhooks/gmail',
            headers: { ...JSON_TYPE, ...(token ? { authorization: token } : {}) },
            body,
          },
          expect: t.has.gmailPush ? [401, 431] : [404, 431],
        };
      }
      if (which === 1) {
        const raw = stringify(
          rng.pick([
            taskCreatedBody(TASK),
            taskCreatedBody(TASK, '999', 'other-hook'),
            { ...taskCreatedBody(TASK), event: 'taskUpdated' },
          ]),
        );
        return {
          cat,
          req: {
            method: 'POST',
            path: '/webhooks/clickup',
            headers: { ...JSON_TYPE, ...CLICKUP_BAD_SIGNATURES(raw, rng) },
            body: Buffer.from(raw),
          },
          expect: [401],
        };
      }
      const body = t.slackBodies.length ? rng.pick(t.slackBodies) : 'command=%2Fclaim&text=maya%40gmail.com&user_id=U1';
      return {
        cat,
        req: {
          method: 'POST',
          path: '/slack/events',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...SLACK_BAD_SIGNATURES(body, rng) },
          body: Buffer.from(body),
        },
        expect: t.has.slackHttp ? [401] : [415],
      };
    }
    case 'webhook_malformed': {
      const which = rng.int(3);
      if (which === 0) {
        const token = t.validPushTokens.length ? rng.pick(t.validPushTokens) : 'x';
        return {
          cat,
          req: {
            method: 'POST',
            path: '/webhooks/gmail',
            headers: { ...JSON_TYPE, authorization: `Bearer ${token}` },
            body: json(rng.pick(PUSH_MALFORMED())),
          },
          expect: t.has.gmailPush ? [400] : [404],
        };
      }
      if (which === 1) {
        const raw = stringify(rng.pick(CLICKUP_MALFORMED));
        return {
          cat,
          req: {
            method: 'POST',
            path: '/webhooks/clickup',
            headers: { ...JSON_TYPE, 'x-signature': signedDelivery(raw, CLICKUP_SECRET).headers['X-Signature'] },
            body: Buffer.from(raw),
          },
          expect: [400],
        };
      }
      const [body, type] = rng.pick(SLACK_SIGNED_GARBAGE);
      return {
        cat,
        req: {
          method: 'POST',
          path: '/slack/events',
          headers: { ...(type ? { 'content-type': type } : {}), ...signSlackRequest(body, SLACK_SECRET) },
          body: Buffer.from(body),
        },
      };
    }
    default: {
      // request_id: a garbage X-Request-Id on an otherwise bad request; the answer carries a valid one.
      const d = schemaInvalid(t, rng, false);
      const id = rng.pick([
        '',
        ' ',
        'a'.repeat(129),
        'x y',
        '<script>',
        'id\u00ff',
        '../../',
        'ok-id.1:2_3',
        'a'.repeat(128),
      ]);
      const r = jsonReq(d.method, d.path, d.body, { 'x-request-id': id });
      return { cat, req: r };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Running and checking

interface Violation {
  key: string;
  count: number;
  example: string;
}

function describeReq(i: number, g: Gen): string {
  const body = g.req.body === undefined ? '' : Buffer.from(g.req.body).toString('utf8');
  const headers = Object.fromEntries(
    Object.entries(g.req.headers ?? {}).map(([k, v]) => [k, v.length > 60 ? `${v.slice(0, 60)}…(${v.length})` : v]),
  );
  return `#${i} ${g.req.method} ${g.req.path.slice(0, 160)} ${JSON.stringify(headers)} body(${body.length})=${JSON.stringify(body.slice(0, 200))}${g.req.chunked ? ' chunked' : ''}`;
}

function check(g: Gen, res: RawResponse): string | null {
  const { status } = res;
  if (g.expect ? !g.expect.includes(status) : status < 400 || status > 499) {
    return `status ${status}${g.expect ? ` (expected ${g.expect.join('/')})` : ''}`;
  }
  if (status === 431) return null; // Node's header-size limit: answered before the app, no body (documented)
  const problem = errorBodyProblem(res, g.req.method);
  if (problem) return `${status} ${problem}`;
  const requestId = String(res.headers['x-request-id'] ?? '');
  if (!REQUEST_ID.test(requestId)) return `${status} X-Request-Id ${JSON.stringify(requestId)} missing or invalid`;
  const sent = g.req.headers?.['x-request-id'];
  if (sent !== undefined && REQUEST_ID.test(sent) && requestId !== sent) return `${status} X-Request-Id not echoed`;
  return null;
}

async function barrage(t: Target, fakes: Fakes, count: number, seed: number) {
  const rng = seededRng(seed);
  const hugeBodies = [
    Buffer.from(`{"text":"${'a'.repeat(LIMIT)}"}`),
    Buffer.from(`{"by":"${'\u00e9'.repeat(LIMIT)}"}`),
    Buffer.alloc(LIMIT * 2 + 17, 0x7b),
    Buffer.from(`[${'1,'.repeat(LIMIT * 2)}1]`),
    Buffer.from(`payload=${'%7B'.repeat(LIMIT)}`),
  ];
  const badPushTokens = gmailBadTokens(fakes, rng);
  const gens: Gen[] = [];
  for (let i = 0; i < count; i++) gens.push(generate(t, rng, hugeBodies, badPushTokens));

  const violations = new Map<string, Violation>();
  const stats = new Map<string, { n: number; statuses: Map<number, number>; ms: number[] }>();
  let next = 0;
  let maxMs = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= gens.length) return;
      const g = gens[i];
      let problem: string | null;
      let status = 0;
      try {
        const res = await t.client.send(g.req, 15_000);
        status = res.status;
        maxMs = Math.max(maxMs, res.ms);
        problem = check(g, res);
        const s = stats.get(g.cat) ?? { n: 0, statuses: new Map<number, number>(), ms: [] as number[] };
        s.n++;
        s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
        s.ms.push(res.ms);
        stats.set(g.cat, s);
      } catch (error) {
        problem = `no answer: ${(error as Error).message}`;
      }
      if (problem) {
        const key = `${t.name} | ${g.cat} | ${problem.replace(/\d{3,}/g, (d) => (d.length === 3 ? d : 'N'))}`;
        const v = violations.get(key) ?? { key, count: 0, example: describeReq(i, g) };
        v.count++;
        violations.set(key, v);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { violations: [...violations.values()], stats, maxMs, sent: gens.length };
}

function printStats(name: string, stats: Map<string, { n: number; statuses: Map<number, number>; ms: number[] }>) {
  const rows = [...stats.entries()].sort(([a], [b]) => a.localeCompare(b));
  console.log(`\n    ${name}: requests by category (status: count), p50/p99 latency`);
  for (const [cat, s] of rows) {
    const sorted = [...s.ms].sort((a, b) => a - b);
    const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
    const statuses = [...s.statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([k, v]) => `${k}:${v}`)
      .join(' ');
    console.log(`      ${cat.padEnd(20)} ${String(s.n).padStart(5)}  ${statuses.padEnd(44)} ${p(0.5)}/${p(0.99)} ms`);
  }
}

function snapshotOf(t: Target) {
  return { agent: dbDigest(t.agentDb), sandbox: dbDigest(t.sandboxDb) } as Record<string, Digest>;
}

async function apiViews(t: Target) {
  const get = async (path: string) => JSON.stringify((await t.client.json('GET', path, undefined, AUTH)).body);
  const views: Record<string, string> = {
    negotiations: await get('/api/v1/negotiations'),
    campaigns: await get('/api/v1/campaigns'),
  };
  for (const id of t.all) views[id] = await get(`/api/v1/negotiations/${id}`);
  if (t.has.sandboxMail) views.mail = await get('/sandbox/mail');
  if (t.has.sandboxSlack) views.slack = await get('/sandbox/slack');
  return views;
}

async function runTarget(t: Target, fakes: Fakes, seed: number) {
  const started = performance.now();
  const before = snapshotOf(t);
  const outsideBefore = JSON.stringify(t.outside());
  const viewsBefore = await apiViews(t);
  const settings = dbRows(t.agentDb, 'SELECT key FROM settings ORDER BY key').map((r) => r.key);
  const result = await barrage(t, fakes, PER_AGENT, seed);
  await sleep(500); // anything a request set off after its answer has landed by now
  const after = snapshotOf(t);
  const changed = digestDiff(before, after);
  const outsideAfter = JSON.stringify(t.outside());
  const viewsAfter = await apiViews(t);
  const changedViews = Object.keys(viewsBefore).filter((k) => viewsBefore[k] !== viewsAfter[k]);
  printStats(t.name, result.stats);
  console.log(
    `    ${t.name}: ${result.sent} requests in ${seconds(started)} s (seed ${seed}), slowest answer ${result.maxMs.toFixed(0)} ms; ` +
      `agent.db settings keys: ${settings.join(', ') || 'none'}`,
  );
  if (result.violations.length) {
    console.log(`    ${t.name}: VIOLATIONS (${result.violations.reduce((s, v) => s + v.count, 0)})`);
    for (const v of result.violations.sort((a, b) => b.count - a.count))
      console.log(`      ${v.count} x ${v.key}\n        e.g. ${v.example}`);
  }
  return {
    result,
    changed,
    outsideChanged: outsideBefore !== outsideAfter ? [outsideBefore, outsideAfter] : null,
    changedViews,
  };
}

/** After the barrage the agent still does its job: a genuine reply is answered. */
async function stillWorks(t: Target, fakes: Fakes) {
  const health = await t.client.json('GET', '/health');
  expect(health.status).to.equal(200);
  const before = snapshotOf(t);
  if (t.has.sandboxMail) {
    const mails = (await t.client.json('GET', '/sandbox/mail', undefined, AUTH)).body as {
      to: string;
      threadId: string;
    }[];
    const thread = mails.find((m) => m.to === MAYA)?.threadId;
    const res = await t.client.json(
      'POST',
      '/sandbox/mail',
      { from: MAYA, threadId: thread, text: "Sounds great, let's do it!" },
      AUTH,
    );
    expect(res.status).to.equal(202);
  } else {
    const outreach = fakes.gmail.sent().find((m) => m.to.includes(MAYA));
    if (!outreach) throw new Error('no outreach to Maya');
    await fakes.gmail.deliver({
      from: `Maya Lopez <${MAYA}>`,
      subject: `Re: ${outreach.subject}`,
      text: "Sounds great, let's do it!",
      threadId: outreach.threadId,
      inReplyTo: outreach.messageId,
    });
    const token = fakes.google.signIdToken({ aud: PUSH_AUDIENCE, email: PUSH_ACCOUNT });
    const res = await t.client.send({
      method: 'POST',
      path: '/webhooks/gmail',
      headers: { ...JSON_TYPE, authorization: `Bearer ${token}` },
      body: JSON.stringify(pushBody(fakes.gmail.historyId)),
    });
    expect(res.status).to.equal(204);
  }
  await until('Maya agreed', async () => (await stateOf(t.client, t.awaiting)) === 'agreed', 15_000);
  // The digest sees a genuine change (so "unchanged" above means something).
  const changed = digestDiff(before, snapshotOf(t));
  for (const table of ['negotiations', 'timeline', 'inbox', 'effects']) {
    expect(
      changed.some((c) => c.startsWith(`agent:${table} `)),
      `digest of ${table} after a genuine reply`,
    ).to.equal(true);
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe('reliability: bad input (generated requests over every route)', function () {
  this.timeout(600_000);
  let fakes: Fakes;
  const targets: (Target & { stop(): Promise<void> })[] = [];

  before(async () => {
    fakes = await startFakes();
    fakes.clickup.addTask(campaignTask(TASK));
  });
  after(async () => {
    for (const t of targets) await t.stop();
    await fakes?.close();
  });

  for (const [name, start, seedOffset] of [
    ['sandbox', startSandboxTarget, 0],
    ['integrations', startIntegrationsTarget, 1],
  ] as const) {
    it(`${name} agent: ${PER_AGENT} bad requests -> only 4xx JSON errors, no hang, databases and fakes unchanged`, async () => {
      const t = await start(fakes);
      targets.push(t);
      const { result, changed, outsideChanged, changedViews } = await runTarget(t, fakes, SEED + seedOffset);
      expect(result.sent).to.be.at.least(PER_AGENT);
      const failures = [
        ...result.violations.map((v) => `${v.count} x ${v.key}\n    e.g. ${v.example}`),
        ...changed.map((c) => `database: ${c}`),
        ...(outsideChanged ? [`fakes changed: ${outsideChanged[0]} -> ${outsideChanged[1]}`] : []),
        ...changedViews.map((v) => `API view changed: ${v}`),
      ];
      // The violations were printed above; first check the agent still works and the digest sees real changes.
      await stillWorks(t, fakes);
      expect(failures, failures.join('\n')).to.deep.equal([]);
    });
  }

  it('HTTP that Node rejects before the app (raw sockets): a 4xx or a closed connection, never a hang', async () => {
    const t = targets[0] ?? (await startSandboxTarget(fakes));
    if (!targets.includes(t)) targets.push(t);
    const { hostname, port } = new URL(t.url);
    const cases: [string, Buffer][] = [
      ['invalid method', Buffer.from('FOO / HTTP/1.1\r\nHost: x\r\n\r\n')],
      ['unknown version', Buffer.from('GET / HTTP/9.9\r\nHost: x\r\n\r\n')],
      ['HTTP/0.9', Buffer.from('GET /api/v1/campaigns\r\n\r\n')],
      ['header without colon', Buffer.from('GET /health HTTP/1.1\r\nHost x\r\n\r\n')],
      ['control char in header', Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nX: a\u0001b\r\n\r\n')],
      ['no Host', Buffer.from('GET /health HTTP/1.1\r\n\r\n')],
      [
        'CL and TE',
        Buffer.from(
          'POST /api/v1/campaigns HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        ),
      ],
      [
        'bad chunk size',
        Buffer.from(
          'POST /api/v1/campaigns HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n',
        ),
      ],
      ['negative CL', Buffer.from('POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n')],
      ['non-numeric CL', Buffer.from('POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n')],
      ['two CLs', Buffer.from('POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab')],
      ['huge header', Buffer.from(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)],
      ['huge URL', Buffer.from(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)],
      [
        'raw bytes in path',
        Buffer.concat([
          Buffer.from('GET /api/v1/negotiations/'),
          Buffer.from([0xff, 0xfe, 0x00]),
          Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
        ]),
      ],
      ['space in path', Buffer.from('GET /api/v1/negotiations/a b HTTP/1.1\r\nHost: x\r\n\r\n')],
      ['h2 preface', Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')],
      ['binary garbage', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256))],
      ['TLS hello', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03])],
      ['CONNECT', Buffer.from('CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n')],
      ['obs-fold', Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n')],
      ['LF only', Buffer.from('GET /health HTTP/1.1\nHost: x\n\n')],
      ['NUL in request line', Buffer.from('GET /health\u0000 HTTP/1.1\r\nHost: x\r\n\r\n')],
    ];
    const rng = seededRng(SEED + 7);
    for (let i = 0; i < 150; i++) {
      cases.push([`random bytes #${i}`, Buffer.from(Array.from({ length: 1 + rng.int(300) }, () => rng.int(256)))]);
    }
    const outcomes: { name: string; status: number | null; json: boolean; closed: boolean }[] = [];
    for (const [name, bytes] of cases) {
      const outcome = await new Promise<{ status: number | null; json: boolean; closed: boolean }>((resolve) => {
        const socket = connect(Number(port), hostname);
        const chunks: Buffer[] = [];
        let done = false;
        const finish = (closed: boolean) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          socket.destroy();
          const text = Buffer.concat(chunks).toString('latin1');
          const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
          const body = text.split('\r\n\r\n').slice(1).join('\r\n\r\n');
          let json = false;
          try {
            json = !!JSON.parse(body).error;
          } catch {}
          resolve({ status: status ? Number(status) : null, json, closed });
        };
        const timer = setTimeout(() => finish(false), 5_000);
        socket.on('data', (c: Buffer) => {
          chunks.push(c);
          if (/\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) setTimeout(() => finish(true), 50);
        });
        socket.on('close', () => finish(true));
        socket.on('error', () => finish(true));
        socket.write(bytes);
      });
      outcomes.push({ name, ...outcome });
    }
    const hung = outcomes.filter((o) => !o.closed && o.status == null);
    const notClientError = outcomes.filter((o) => o.status != null && (o.status < 400 || o.status > 499));
    const counts = new Map<string, number>();
    for (const o of outcomes) {
      const k = o.status == null ? 'closed without an answer' : `${o.status}${o.json ? ' JSON' : ' non-JSON body'}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    console.log(
      `    raw sockets: ${outcomes.length} requests -> ${[...counts.entries()].map(([k, v]) => `${k}: ${v}`).join(', ')}`,
    );
    for (const o of outcomes.filter((x) => !x.name.startsWith('random')))
      console.log(
        `      ${o.name.padEnd(24)} ${o.status ?? 'closed'}${o.status ? (o.json ? ' JSON' : ' (Node, no JSON body)') : ''}`,
      );
    expect(
      hung.map((o) => o.name),
      'no answer and still open after 5 s',
    ).to.deep.equal([]);
    expect(notClientError.map((o) => `${o.name}: ${o.status}`)).to.deep.equal([]);
    expect((await t.client.json('GET', '/health')).status).to.equal(200);
  });

  it('absurd amounts in a campaign (beyond exact cents) are refused with a 4xx and nothing is stored or sent', async () => {
    const a = await startAgentIn({ API_TOKEN });
    const client = httpClient(a.t.url);
    try {
      // Without a max cost, so the opening offer is what the CPM target says.
      const { maxCostWithoutApproval: _, ...base } = campaignBody('cmp-absurd', [{ name: 'Maya Lopez', email: MAYA }]);
      const cases: [string, Record<string, unknown>][] = [
        ['cpmTarget 1e26', { cpmTarget: '99999999999999999999999999' }],
        ['cpmTarget past 2^53 cents', { cpmTarget: '90071992547409.91' }],
        ['minCostPerInfluencer 1e20', { minCostPerInfluencer: '100000000000000000000' }],
        ['maxCostWithoutApproval 1e20', { maxCostWithoutApproval: '100000000000000000000' }],
        ['budget 1e24', { budget: '1000000000000000000000000' }],
        ['productMonetaryValue 1e20', { productAvailable: true, productMonetaryValue: '100000000000000000000' }],
        [
          'averageViews 1e21',
          { influencers: [{ name: 'Maya Lopez', email: MAYA, averageViews: '1000000000000000000000' }] },
        ],
      ];
      const accepted: string[] = [];
      for (const [i, [name, patch]] of cases.entries()) {
        const id = `cmp-absurd-${i}`;
        const res = await client.json('POST', '/api/v1/campaigns', { ...base, id, ...patch }, AUTH);
        if (res.status >= 400 && res.status <= 499) continue;
        await sleep(300);
        const negotiations = (res.body?.negotiations ?? []) as { id: string }[];
        const skipped = ((res.body?.skipped ?? []) as { reason: string }[]).map((s) => s.reason);
        // Every row skipped (unusable views) is the documented D3.1 outcome: stored, nothing started, reported.
        if (!negotiations.length && skipped.length) continue;
        const n = negotiations[0]
          ? (await client.json('GET', `/api/v1/negotiations/${negotiations[0].id}`, undefined, AUTH)).body
          : null;
        const sent = n?.timeline?.find((e: { type: string }) => e.type === 'email_sent');
        const escalation = n?.timeline?.find((e: { type: string }) => e.type === 'escalation');
        const stored = (await client.json('GET', `/api/v1/campaigns/${id}`, undefined, AUTH)).body;
        accepted.push(
          `${name}: ${res.status}, stored budget ${stored?.budget}, negotiation ${n?.state ?? 'none'}` +
            (sent ? `, emailed an offer of ${sent.rate}` : '') +
            (escalation ? `, escalated: ${String(escalation.reason).slice(0, 120)}` : ''),
        );
      }
      console.log(`    absurd amounts: ${accepted.length ? `\n      ${accepted.join('\n      ')}` : 'all refused'}`);
      expect(accepted, accepted.join('\n')).to.deep.equal([]);
    } finally {
      client.close();
      await a.t.stop();
      removeDir(a.dataDir);
    }
  });
});

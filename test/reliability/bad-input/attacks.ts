/**
 * Bad-input reliability suite: the routes, and requests with a missing or wrong credential (API token, Gmail push
 * token, Slack and ClickUp signatures).
 */
import { generateKeyPairSync } from 'node:crypto';
import { signedDelivery } from '../../support/fake-clickup.ts';
import { signSlackRequest } from '../../support/fake-slack.ts';
import {
  API_TOKEN,
  CLICKUP_SECRET,
  type Fakes,
  PUSH_ACCOUNT,
  PUSH_AUDIENCE,
  type Rng,
  SLACK_SECRET,
} from '../reliability-kit.ts';
import { AGENCY, AUTH, MAYA, type Target, campaignBody } from './targets.ts';
import type { Json } from './shapes.ts';

/** Routes of the app (methods as registered); `:id` etc. are filled per target. */
export interface RouteSpec {
  path: (t: Target, rng: Rng) => string;
  methods: string[];
}

export const CONTROLS = ['pause', 'resume', 'stop', 'claim', 'release', 'walk-away'];

export const ROUTES: RouteSpec[] = [
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

export const isProtected = (path: string) => /^\/(api|sandbox)\//i.test(path);
export const withAuth = (path: string, headers: Record<string, string> = {}) =>
  isProtected(path) ? { ...AUTH, ...headers } : headers;

/** A valid, state-changing request for each protected route: what a missing or wrong token must not let through. */
export function dangerous(t: Target, rng: Rng): { method: string; path: string; body?: Json } {
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

export const BAD_AUTH = (rng: Rng): Record<string, string> =>
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
export function pathVariant(rng: Rng, path: string): string {
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

export function gmailBadTokens(fakes: Fakes, rng: Rng): string[] {
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

export const SLACK_BAD_SIGNATURES = (body: string, rng: Rng): Record<string, string> => {
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

export const CLICKUP_BAD_SIGNATURES = (raw: string, rng: Rng): Record<string, string> => {
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
export const SLACK_SIGNED_GARBAGE: [string, string][] = (() => {
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

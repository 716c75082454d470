/**
 * Bad-input reliability suite: malformed webhook bodies, unknown paths, exotic methods and bad path segments.
 */
import { AGENT_EMAIL, type Rng } from '../reliability-kit.ts';
import { TASK } from './targets.ts';
import { type Json, garbage, stringify, tooLong } from './shapes.ts';

export const CLICKUP_MALFORMED: Json[] = [
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

export const PUSH_MALFORMED = (): Json[] => {
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

export const UNKNOWN_PATHS = [
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

export const EXOTIC_METHODS = [
  'PROPFIND',
  'PURGE',
  'TRACE',
  'LOCK',
  'MKCOL',
  'COPY',
  'MOVE',
  'SEARCH',
  'REPORT',
  'QUERY',
];

/** Percent-encoded garbage for a path segment (never a real id once decoded). */
export function badSegment(rng: Rng): string {
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
export function pct(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

export function json(value: Json): Buffer {
  return Buffer.from(stringify(value), 'utf8');
}

export const CONTROL_BASE = (): Record<string, Json> => ({ by: 'reliability' });

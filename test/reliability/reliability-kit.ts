/**
 * Shared helpers of the bad-input, duplicates and injection reliability suites: a seeded PRNG, a raw HTTP client
 * (any method, any header, any body bytes, chunked or not, with a per-request deadline), a digest of every table
 * of the agent's SQLite files, and the two agent set-ups the suites use: the sandbox, and an agent wired to the
 * local fakes of Gmail (push), Slack (HTTP mode) and ClickUp. Loopback only.
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, type IncomingHttpHeaders, request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { assertStandInMessages } from '../support/block-kit.ts';
import { eventually, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import { type FakeClickUp, startFakeClickUp } from '../support/fake-clickup.ts';
import { type FakeGmail, startFakeGmail } from '../support/fake-gmail.ts';
import { type FakeGoogleAuth, startFakeGoogleAuth } from '../support/fake-google-auth.ts';
import { fakeGmailEnv } from '../support/gmail-agent-env.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness

export interface Rng {
  (): number; // [0, 1)
  int(n: number): number; // [0, n)
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  shuffle<T>(items: readonly T[]): T[];
}

/** mulberry32: small, fast and good enough to make every run of a suite the same for one seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng = next as Rng;
  rng.int = (n) => Math.floor(next() * n);
  rng.pick = (items) => items[Math.floor(next() * items.length)];
  rng.chance = (p) => next() < p;
  rng.shuffle = (items) => {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  return rng;
}

/** The seed of a suite: RELIABILITY_SEED when set (to replay a run), else the suite's fixed default. */
export function suiteSeed(fallback: number): number {
  const given = Number(process.env.RELIABILITY_SEED);
  return Number.isInteger(given) && given > 0 ? given : fallback;
}

// ---------------------------------------------------------------------------------------------------------------
// Raw HTTP

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body with Transfer-Encoding: chunked (in two chunks) instead of a Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  ms: number;
}

export type Client = ReturnType<typeof httpClient>;

/** A keep-alive client for one agent; every request must be answered within `timeoutMs` (no hang). */
export function httpClient(baseUrl: string, maxSockets = 16, keepAlive = true) {
  const url = new URL(baseUrl);
  const agent = new HttpAgent({ keepAlive, maxSockets });
  function send(r: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
      const headers: Record<string, string> = { ...r.headers };
      const has = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
      if (body && r.chunked) headers['transfer-encoding'] = 'chunked';
      else if (body && !has('content-length')) headers['content-length'] = String(body.length);
      let settled = false;
      const req = request(
        { host: url.hostname, port: url.port, method: r.method, path: r.path, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              ms: performance.now() - started,
            });
          });
          res.on('error', (error) => fail(error));
        },
      );
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const timer = setTimeout(() => {
        fail(new Error(`no answer within ${timeoutMs} ms`));
        req.destroy();
      }, timeoutMs);
      req.on('error', fail);
      if (body && r.chunked) {
        const half = Math.floor(body.length / 2);
        req.write(body.subarray(0, half));
        req.end(body.subarray(half));
      } else {
        req.end(body);
      }
    });
  }
  return {
    send,
    async json(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await send({
        method,
        path,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = res.body.toString('utf8');
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      if (method === 'GET' && path.startsWith('/sandbox/slack') && res.status === 200) assertStandInMessages(parsed);
      // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
      return { status: res.status, body: parsed as any, headers: res.headers };
    },
    close() {
      agent.destroy();
    },
  };
}

/** The body of a 4xx/5xx answer is the API's `{ error: { code, message } }`: null when it is, else the problem. */
export function errorBodyProblem(res: RawResponse, method: string): string | null {
  if (method === 'HEAD') return null; // no body by definition
  const type = String(res.headers['content-type'] ?? '');
  if (!/^application\/json\b/.test(type)) return `content-type ${JSON.stringify(type)} is not JSON`;
  let body: unknown;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch {
    return `body is not JSON: ${JSON.stringify(res.body.toString('utf8').slice(0, 80))}`;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (!error || typeof error !== 'object') return `no error object: ${JSON.stringify(body).slice(0, 120)}`;
  if (typeof error.code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(error.code))
    return `error.code ${JSON.stringify(error.code)} is not snake_case`;
  if (typeof error.message !== 'string' || !error.message.trim()) return 'error.message is empty';
  const keys = Object.keys(body as object);
  if (keys.length !== 1) return `extra top-level keys: ${keys.join(',')}`;
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Database digests

export type Digest = Record<string, { rows: number; sha256: string }>;

/**
 * A digest of every table of a SQLite file (rows in rowid order), read through a separate read-only connection
 * (WAL: it sees every committed transaction). `ignore` drops rows that may legitimately change.
 */
export function dbDigest(file: string, ignore: Record<string, (row: Record<string, unknown>) => boolean> = {}): Digest {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
    const out: Digest = {};
    for (const table of tables) {
      const skip = ignore[table];
      const rows = (db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).all() as Record<string, unknown>[]).filter(
        (row) => !skip?.(row),
      );
      out[table] = { rows: rows.length, sha256: createHash('sha256').update(JSON.stringify(rows)).digest('hex') };
    }
    return out;
  } finally {
    db.close();
  }
}

/** The rows of one table (for assertions on counts and content). */
export function dbRows(file: string, sql: string, ...params: unknown[]): Record<string, unknown>[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Human-readable differences between two digests (empty when equal). */
export function digestDiff(before: Record<string, Digest>, after: Record<string, Digest>): string[] {
  const out: string[] = [];
  for (const file of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[file] ?? {};
    const b = after[file] ?? {};
    for (const table of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const x = a[table];
      const y = b[table];
      if (!x || !y) out.push(`${file}:${table} ${x ? 'disappeared' : 'appeared'}`);
      else if (x.sha256 !== y.sha256) out.push(`${file}:${table} changed (${x.rows} -> ${y.rows} rows)`);
    }
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `eventually` with a name for the timeout message and the suites' longer default wait. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  ms = 20_000,
): Promise<T> {
  try {
    return (await eventually(check, ms)) as T;
  } catch (error) {
    throw new Error(`timed out waiting for ${what} (${String(error)})`);
  }
}

/**
 * Waits until nothing moves: no negotiation busy and `snapshot()` unchanged over `stableMs` (effects, Slack
 * notices and timers of the set-up have all landed).
 */
export async function quiesce(agentDb: string, snapshot: () => unknown, stableMs = 800, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  let last = '';
  let since = Date.now();
  for (;;) {
    const busy = Number(dbRows(agentDb, 'SELECT count(*) AS n FROM negotiations WHERE busy = 1')[0].n);
    const now = JSON.stringify(await snapshot());
    if (now !== last || busy > 0) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= stableMs) {
      return;
    }
    if (Date.now() > until) throw new Error('the agent did not settle');
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Agents

export const API_TOKEN = 'reliability-token-0123456789abcdef';
export const AGENT_EMAIL = 'deals@agency.example';
export const PUSH_AUDIENCE = 'https://agent.example/webhooks/gmail';
export const PUSH_ACCOUNT = 'gmail-push@project.iam.gserviceaccount.com';
export const SLACK_SECRET = 'slack-signing-secret-reliability';
export const CLICKUP_SECRET = 'clickup-webhook-secret-reliability';
export const ESCALATIONS = 'C0ESCALATE';
export const DEALS = 'C0DEALS01';

export interface Fakes {
  gmail: FakeGmail;
  google: FakeGoogleAuth;
  slack: FakeSlack;
  clickup: FakeClickUp;
  close(): Promise<void>;
}

export async function startFakes(): Promise<Fakes> {
  const gmail = await startFakeGmail({ emailAddress: AGENT_EMAIL });
  const google = await startFakeGoogleAuth();
  const slack = await startFakeSlack();
  const clickup = await startFakeClickUp();
  return {
    gmail,
    google,
    slack,
    clickup,
    async close() {
      await Promise.all([gmail.close(), google.close(), slack.close(), clickup.close()]);
    },
  };
}

/** ClickUp on any agent: the webhook secret, and the token for reading tasks from the fake. */
export const clickupEnv = (fakes: Fakes): Record<string, string> => ({
  CLICKUP_WEBHOOK_SECRET: CLICKUP_SECRET,
  CLICKUP_API_TOKEN: fakes.clickup.token,
  CLICKUP_API_URL: fakes.clickup.apiUrl,
});

/** Gmail (push verified against the fake Google certificates) and Slack over HTTP, inside a sandbox agent. */
export function integrationsEnv(fakes: Fakes, dataDir: string): Record<string, string> {
  return {
    AGENT_MODE: 'sandbox',
    ...fakeGmailEnv(fakes, dataDir, { audience: PUSH_AUDIENCE, account: PUSH_ACCOUNT }),
    GMAIL_POLL_SECONDS: '3600', // pushes drive everything; no background pull during a measurement
    SEND_PER_MINUTE: '60', // one send a second: within Gmail's quota, and the tests need not wait
    CHAT_PROVIDER: 'slack',
    SLACK_BOT_TOKEN: fakes.slack.token,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: fakes.slack.apiUrl,
    SLACK_ESCALATION_CHANNEL: ESCALATIONS,
    SLACK_AGREEMENT_CHANNEL: DEALS,
    ...clickupEnv(fakes),
  };
}

export async function startAgentIn(env: Record<string, string>, dataDir = tempDir('reliability-')) {
  const t: TestAgent = await startTestAgent({ SHEET_POLL_SECONDS: '0', ...env }, dataDir);
  return { t, dataDir, agentDb: join(dataDir, 'agent.db'), sandboxDb: join(dataDir, 'sandbox.db') };
}

/** A Pub/Sub push envelope for the agent's mailbox at `historyId`. */
export function pushBody(historyId: string | number, emailAddress = AGENT_EMAIL, messageId = `m-${historyId}`) {
  const data = Buffer.from(JSON.stringify({ emailAddress, historyId: Number(historyId) })).toString('base64');
  return { message: { data, messageId, publishTime: new Date().toISOString() }, subscription: 'projects/p/subs/s' };
}

/** Elapsed seconds since `started` (performance.now()), one decimal. */
export const seconds = (started: number) => Math.round((performance.now() - started) / 100) / 10;

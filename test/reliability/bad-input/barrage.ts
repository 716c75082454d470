/**
 * Bad-input reliability suite: sending the barrage, checking each answer, and checking nothing changed.
 */
import { expect } from 'chai';
import {
  type Digest,
  dbDigest,
  dbRows,
  digestDiff,
  errorBodyProblem,
  type Fakes,
  PUSH_ACCOUNT,
  PUSH_AUDIENCE,
  pushBody,
  type RawResponse,
  seconds,
  seededRng,
  sleep,
  until,
} from '../reliability-kit.ts';
import { AUTH, CONCURRENCY, JSON_TYPE, LIMIT, MAYA, PER_AGENT, REQUEST_ID, type Target, stateOf } from './targets.ts';
import type { Gen } from './shapes.ts';
import { gmailBadTokens } from './attacks.ts';
import { generate } from './generate.ts';

// ---------------------------------------------------------------------------------------------------------------
// Running and checking

export interface Violation {
  key: string;
  count: number;
  example: string;
}

export function describeReq(i: number, g: Gen): string {
  const body = g.req.body === undefined ? '' : Buffer.from(g.req.body).toString('utf8');
  const headers = Object.fromEntries(
    Object.entries(g.req.headers ?? {}).map(([k, v]) => [k, v.length > 60 ? `${v.slice(0, 60)}…(${v.length})` : v]),
  );
  return `#${i} ${g.req.method} ${g.req.path.slice(0, 160)} ${JSON.stringify(headers)} body(${body.length})=${JSON.stringify(body.slice(0, 200))}${g.req.chunked ? ' chunked' : ''}`;
}

export function check(g: Gen, res: RawResponse): string | null {
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

export async function barrage(t: Target, fakes: Fakes, count: number, seed: number) {
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

export function printStats(
  name: string,
  stats: Map<string, { n: number; statuses: Map<number, number>; ms: number[] }>,
) {
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

export function snapshotOf(t: Target) {
  return { agent: dbDigest(t.agentDb), sandbox: dbDigest(t.sandboxDb) } as Record<string, Digest>;
}

export async function apiViews(t: Target) {
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

export async function runTarget(t: Target, fakes: Fakes, seed: number) {
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
export async function stillWorks(t: Target, fakes: Fakes) {
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

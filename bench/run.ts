/**
 * The benchmark (npm run bench). Every agent runs as a CHILD PROCESS (`node server/main.ts`, the production
 * entry point, sandbox mode, synchronous=FULL, LOG_LEVEL=info logging to a file) so the load generator (this
 * process: node:http, keep-alive) does not share its event loop. Phases:
 *   1. raw limits: durable single-row commits/s (better-sqlite3, persistence/db.ts pragmas), a product-shaped
 *      commit on the real schema, node startup, and a bare Koa route's requests/s (child process, same load
 *      generator);
 *   2. inbound replies through POST /sandbox/mail -> durable inbox -> actor -> answer email, in rounds of one reply
 *      per negotiation at a fixed concurrency: 202 rate/latency and full processing throughput (answers are
 *      counted and timed from the sandbox mailbox, read through a read-only SQLite connection);
 *   3. boot with 10,000 persisted negotiations (real ones, driven through the product, then cloned: see
 *      bench/lib/clone.ts): spawn -> /ready, VmRSS, and memory per live negotiation after claim+release of
 *      1,000 (then 1,000 more) idle ones; forced GCs go through bench/child-hooks.ts;
 *   4. read-API latency at 10,000 negotiations;
 *   5. a boot after downtime: BENCH_OVERDUE (1000) follow-ups fell due while the agent was down.
 * Knobs (environment): BENCH_INFLUENCERS (500), BENCH_ROUNDS (4), BENCH_CONCURRENCY (16), BENCH_NEGOTIATIONS
 * (10000), BENCH_TOUCH (1000), BENCH_OVERDUE (1000), BENCH_LOG_LEVEL (info), BENCH_KEEP_TMP=1 (keep the temp dirs),
 * BENCH_NODE_ARGS (extra node flags for the children, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { cloneNegotiations } from './lib/clone.ts';
import { type Client, createClient, percentile, runLoad } from './lib/http.ts';
import {
  type Child,
  cleanup,
  freePort,
  installCleanup,
  ROOT,
  readLog,
  spawnNode,
  tempDir,
  vmRss,
  waitReady,
} from './lib/processes.ts';
import { rawCommits, shapedCommits } from './lib/raw-sqlite.ts';
import { fmt, machine, printTable, type TableRow } from './lib/report.ts';
import { COUNTER_ASKS, campaignBody, influencers, type Step, TEMPLATES } from './lib/scenarios.ts';

const env = process.env;
const CFG = {
  influencers: Number(env.BENCH_INFLUENCERS ?? 500),
  rounds: Math.min(COUNTER_ASKS.length, Number(env.BENCH_ROUNDS ?? 4)),
  concurrency: Number(env.BENCH_CONCURRENCY ?? 16),
  negotiations: Number(env.BENCH_NEGOTIATIONS ?? 10_000),
  touch: Number(env.BENCH_TOUCH ?? 1000),
  overdue: Number(env.BENCH_OVERDUE ?? 1000),
  templateCopies: 2,
  boots: 3,
  cloneCampaigns: 19,
  logLevel: env.BENCH_LOG_LEVEL ?? 'info',
  rawSeconds: 2,
  httpSeconds: 3,
};
const FOLLOW_UP_MS = 72 * 3_600_000; // FOLLOW_UP_AFTER_HOURS default

installCleanup();
const benchStarted = performance.now();
const rows: TableRow[] = [];
const results: Record<string, unknown> = {};
const problems: string[] = [];
const row = (section: string, metric: string, value: string, note?: string) => {
  rows.push({ section, metric, value, note });
  process.stdout.write(`  ${metric}: ${value}${note ? `  (${note})` : ''}\n`);
};
const log = (message: string) =>
  process.stdout.write(`[${((performance.now() - benchStarted) / 1000).toFixed(1)}s] ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const p = (samples: number[], q: number) => percentile(samples, q);

/** CPU seconds (user+system) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1) as string).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

async function startAgent(dataDir: string, label: string): Promise<{ child: Child; client: Client; bootMs: number }> {
  const port = await freePort();
  const child = await spawnNode({
    script: join(ROOT, 'server', 'main.ts'),
    cwd: dataDir, // no .env from the repository
    logFile: join(dataDir, `${label}.log`),
    port,
    env: {
      AGENT_MODE: 'sandbox',
      DATA_DIR: join(dataDir, 'data'),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: CFG.logLevel,
      SHEETS_DIR: join(dataDir, 'sheets'),
    },
  });
  const readyAt = await waitReady(child);
  return { child, client: createClient(child.url, CFG.concurrency * 2), bootMs: readyAt - child.spawnedAt };
}

async function stopAgent(child: Child, client: Client, label: string) {
  client.close();
  const stopped = await child.stop();
  const { problems: logged } = readLog(child.logFile);
  if (stopped.code !== 0) problems.push(`${label}: agent exited with code ${stopped.code} signal ${stopped.signal}`);
  for (const line of logged.slice(0, 5)) problems.push(`${label} log: ${line}`);
  if (logged.length > 5) problems.push(`${label} log: ... ${logged.length - 5} more warn/error lines`);
  return { ...stopped, warnLines: logged.length };
}

function openReadOnly(file: string) {
  return new Database(file, { readonly: true, fileMustExist: true });
}

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs: number, everyMs = 5): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------------------
// 1. Raw limits
// ---------------------------------------------------------------------------------------------------------
async function rawLimits() {
  log('phase 1: raw limits');
  const dir = tempDir('bench-raw-');
  const full = rawCommits(dir, 'FULL', CFG.rawSeconds * 1000);
  const normal = rawCommits(dir, 'NORMAL', 1000);
  const shaped = await shapedCommits(dir, CFG.rawSeconds * 1000);
  results.rawSqlite = { full, normal, shaped };
  row(
    '1 raw limits',
    'SQLite durable commits/s (WAL, synchronous=FULL)',
    fmt.n(full.perSecond),
    `1-row INSERT per txn, ${full.commits} in ${full.seconds.toFixed(1)} s; p50 ${full.p50Us.toFixed(0)} µs, p99 ${full.p99Us.toFixed(0)} µs`,
  );
  row(
    '1 raw limits',
    'SQLite commits/s (WAL, synchronous=NORMAL)',
    fmt.n(normal.perSecond),
    `for reference (SQLITE_SYNCHRONOUS=NORMAL); p99 ${normal.p99Us.toFixed(0)} µs`,
  );

  row(
    '1 raw limits',
    'SQLite product-shaped durable commits/s (FULL)',
    fmt.n(shaped.perSecond),
    `real schema; 3 KB snapshot UPDATE + 1.2 KB timeline INSERT per txn; p50 ${shaped.p50Us.toFixed(0)} µs, p99 ${shaped.p99Us.toFixed(0)} µs`,
  );

  const startup = await nodeStartup(dir);
  results.nodeStartup = startup;
  row('1 raw limits', 'node startup: spawn -> exit of `node -e 0`', fmt.ms(startup.bareMs), 'median of 3');
  row(
    '1 raw limits',
    'node + import server/main.ts (no start)',
    fmt.ms(startup.importMs),
    'median of 3; module loading + type stripping, before startAgent runs',
  );

  const port = await freePort();
  const child = await spawnNode({
    script: join(ROOT, 'bench', 'koa-bare.ts'),
    cwd: dir,
    logFile: join(dir, 'koa.log'),
    port,
    env: { PORT: String(port) },
  });
  await waitReady(child, '/');
  const client = createClient(child.url, CFG.concurrency);
  const body = (i: number) => ({
    from: 'creator@creators.example',
    threadId: '0123456789abcdef',
    text: COUNTER_ASKS[0],
    messageId: `<bare-${i}@creators.example>`,
  });
  await runLoad({
    client,
    concurrency: CFG.concurrency,
    durationMs: 500,
    make: (i) => ({ method: 'POST', path: '/x', body: body(i) }),
  });
  const load = await runLoad({
    client,
    concurrency: CFG.concurrency,
    durationMs: CFG.httpSeconds * 1000,
    make: (i) => ({ method: 'POST', path: '/sandbox/mail', body: body(i) }),
  });
  client.close();
  await child.stop();
  results.bareKoa = summary(load);
  row(
    '1 raw limits',
    'bare Koa POST (JSON body -> 202) req/s',
    fmt.n(load.perSecond),
    `child process, ${CFG.concurrency} keep-alive conns; p50 ${fmt.ms(p(load.latenciesMs, 50))}, p99 ${fmt.ms(p(load.latenciesMs, 99))}, errors ${load.errors}`,
  );
  return { full, shaped, load };
}

async function nodeStartup(dir: string) {
  const time = async (args: string[]) => {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const code = await new Promise<number | null>((res) => {
        const c = spawn(process.execPath, args, { cwd: dir, stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } });
        c.once('exit', res);
      });
      if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}`);
      samples.push(performance.now() - t0);
    }
    return p(samples, 50);
  };
  const mainUrl = pathToFileURL(join(ROOT, 'server', 'main.ts')).href;
  return {
    bareMs: await time(['-e', '0']),
    importMs: await time(['--input-type=module', '-e', `await import(${JSON.stringify(mainUrl)})`]),
  };
}

function summary(load: Awaited<ReturnType<typeof runLoad>>) {
  return {
    requests: load.requests,
    errors: load.errors,
    statuses: load.statuses,
    seconds: load.seconds,
    perSecond: load.perSecond,
    p50Ms: p(load.latenciesMs, 50),
    p95Ms: p(load.latenciesMs, 95),
    p99Ms: p(load.latenciesMs, 99),
    maxMs: Math.max(...load.latenciesMs),
  };
}

// ---------------------------------------------------------------------------------------------------------
// 2. Inbound replies through the product
// ---------------------------------------------------------------------------------------------------------
async function inbound(raw: Awaited<ReturnType<typeof rawLimits>>, dir: string) {
  log(
    `phase 2: inbound replies (${CFG.influencers} negotiations x ${CFG.rounds} rounds, concurrency ${CFG.concurrency})`,
  );
  const emptyBoots: number[] = [];
  for (let i = 1; i < CFG.boots; i++) {
    const empty = await startAgent(tempDir('bench-empty-'), 'agent-empty');
    emptyBoots.push(empty.bootMs);
    await stopAgent(empty.child, empty.client, 'empty boot');
  }
  const { child, client, bootMs } = await startAgent(dir, 'agent-inbound');
  emptyBoots.push(bootMs);
  row(
    '2 inbound',
    `boot, empty database: spawn -> GET /ready 200 (median of ${CFG.boots})`,
    fmt.ms(p(emptyBoots, 50)),
    `child process; runs ${emptyBoots.map((b) => b.toFixed(0)).join(', ')} ms`,
  );
  results.bootEmptyMs = emptyBoots;

  // The agent's HTTP stack without the database, for comparison with the bare Koa route.
  const health = await runLoad({
    client,
    concurrency: CFG.concurrency,
    durationMs: 2000,
    make: () => ({ method: 'GET', path: '/health' }),
  });
  results.agentHealth = summary(health);
  row(
    '2 inbound',
    'agent GET /health req/s (full middleware, no DB)',
    fmt.n(health.perSecond),
    `p50 ${fmt.ms(p(health.latenciesMs, 50))}, p99 ${fmt.ms(p(health.latenciesMs, 99))}`,
  );

  const sandboxDb = join(dir, 'data', 'sandbox.db');
  const campaignId = 'bench-live';
  const t0 = performance.now();
  const created = await client.json<{ negotiations: unknown[] }>(
    'POST',
    '/api/v1/campaigns',
    campaignBody(campaignId, influencers(CFG.influencers, 'Live', 'creators.example')),
  );
  if (created.status !== 201)
    throw new Error(`campaign not created: ${created.status} ${JSON.stringify(created.body)}`);
  const mailDb = openReadOnly(sandboxDb);
  const outCount = mailDb.prepare("SELECT COUNT(*) AS n FROM mail WHERE direction = 'out'").pluck();
  await until('opening offers', () => (outCount.get() as number) >= CFG.influencers, 120_000);
  const outreachSeconds = (performance.now() - t0) / 1000;
  results.campaignStart = { negotiations: CFG.influencers, seconds: outreachSeconds };
  row(
    '2 inbound',
    `campaign start: ${CFG.influencers} negotiations created + opening emails sent`,
    `${fmt.n(CFG.influencers / outreachSeconds, 1)}/s`,
    `${outreachSeconds.toFixed(2)} s from POST /api/v1/campaigns to the last opening email`,
  );

  const mail = await client.json<{ threadId: string; to: string }[]>('GET', '/sandbox/mail');
  const threads = mail.body.map((m) => ({ threadId: m.threadId, email: m.to }));
  if (threads.length !== CFG.influencers) throw new Error(`expected ${CFG.influencers} threads, got ${threads.length}`);

  const cpuBefore = cpuSeconds(child.pid);
  const wallBefore = performance.now();
  const ackMs: number[] = [];
  const answerMs: number[] = [];
  const answerFromPostMs: number[] = [];
  const perRound: Record<string, unknown>[] = [];
  let events = 0;
  let ackSecondsTotal = 0;
  let doneSecondsTotal = 0;
  let failures = 0;
  const agentDb = openReadOnly(join(dir, 'data', 'agent.db'));
  const agentDbStates = agentDb
    .prepare('SELECT state, busy, COUNT(*) AS n FROM negotiations WHERE campaign_id = ? GROUP BY state, busy')
    .bind(campaignId);
  const answerRows = mailDb.prepare(
    "SELECT thread_id AS threadId, at FROM mail WHERE direction = 'out' AND history_id > ? ORDER BY history_id",
  );
  const maxHistory = mailDb.prepare('SELECT COALESCE(MAX(history_id), 0) FROM mail').pluck();
  for (let round = 0; round < CFG.rounds; round++) {
    const expected = CFG.influencers * (round + 2);
    const historyBefore = maxHistory.get() as number;
    const acked = new Map<string, { postEpoch: number; ackEpoch: number }>();
    const roundStartEpoch = Date.now();
    const roundStart = performance.now();
    const load = await runLoad({
      client,
      concurrency: CFG.concurrency,
      count: threads.length,
      make: (i) => ({
        method: 'POST',
        path: '/sandbox/mail',
        body: {
          from: threads[i].email,
          threadId: threads[i].threadId,
          text: COUNTER_ASKS[round],
          messageId: `<r${round}-${i}-${Date.now()}@creators.example>`,
        },
      }),
      onReply: (i, reply) => {
        if (reply.status !== 202) return;
        const ackEpoch = Date.now();
        acked.set(threads[i].threadId, { postEpoch: ackEpoch - (reply.endedAt - reply.startedAt), ackEpoch });
      },
    });
    failures += load.errors;
    ackMs.push(...load.latenciesMs);
    const ackSeconds = (load.lastEnd - roundStart) / 1000;
    // Every acknowledged reply must produce one answer; fail fast (with the states) if progress stalls.
    const target = expected - (threads.length - acked.size);
    let seen = -1;
    let lastProgress = performance.now();
    await until(
      `answers of round ${round + 1}`,
      () => {
        const count = outCount.get() as number;
        if (count !== seen) {
          seen = count;
          lastProgress = performance.now();
        }
        if (performance.now() - lastProgress > 15_000) {
          const stuck = agentDbStates.all();
          throw new Error(
            `round ${round + 1}: ${count}/${target} answers, no progress for 15 s; states ${JSON.stringify(stuck)}`,
          );
        }
        return count >= target;
      },
      300_000,
      5,
    );
    const answers = answerRows.all(historyBefore) as { threadId: string; at: string }[];
    let lastAnswer = roundStartEpoch;
    for (const a of answers) {
      const t = acked.get(a.threadId);
      const at = Date.parse(a.at);
      lastAnswer = Math.max(lastAnswer, at);
      if (!t) continue;
      answerMs.push(at - t.ackEpoch);
      answerFromPostMs.push(at - t.postEpoch);
    }
    const doneSeconds = (lastAnswer - roundStartEpoch) / 1000;
    events += load.requests;
    ackSecondsTotal += ackSeconds;
    doneSecondsTotal += doneSeconds;
    perRound.push({
      round: round + 1,
      ask: COUNTER_ASKS[round],
      acked: load.requests,
      errors: load.errors,
      statuses: load.statuses,
      ackPerSecond: load.requests / ackSeconds,
      ackP50Ms: p(load.latenciesMs, 50),
      ackP99Ms: p(load.latenciesMs, 99),
      turnsPerSecond: load.requests / doneSeconds,
      answers: answers.length,
    });
    log(
      `  round ${round + 1}: ${load.requests} acked in ${ackSeconds.toFixed(2)} s, all answered after ${doneSeconds.toFixed(2)} s`,
    );
  }
  const wallSeconds = (performance.now() - wallBefore) / 1000;
  const cpuUsed = cpuSeconds(child.pid) - cpuBefore;

  const list = await client.json<{ state: string; round: number }[]>(
    'GET',
    `/api/v1/negotiations?campaign=${campaignId}&limit=1000`,
  );
  const states: Record<string, number> = {};
  for (const n of list.body) states[`${n.state}/round ${n.round}`] = (states[`${n.state}/round ${n.round}`] ?? 0) + 1;
  const expectedKey = `counter_sent/round ${CFG.rounds}`;
  if (states[expectedKey] !== CFG.influencers) {
    problems.push(`phase 2: expected every negotiation in ${expectedKey}, got ${JSON.stringify(states)}`);
  }
  const ackRate = events / ackSecondsTotal;
  const turnRate = events / doneSecondsTotal;
  results.inbound = {
    mode: 'child process',
    negotiations: CFG.influencers,
    rounds: CFG.rounds,
    concurrency: CFG.concurrency,
    events,
    failures,
    ackPerSecond: ackRate,
    ackP50Ms: p(ackMs, 50),
    ackP99Ms: p(ackMs, 99),
    turnsPerSecond: turnRate,
    answerP50Ms: p(answerMs, 50),
    answerP99Ms: p(answerMs, 99),
    answerFromPostP50Ms: p(answerFromPostMs, 50),
    answerFromPostP99Ms: p(answerFromPostMs, 99),
    agentCpuCoresDuringRounds: cpuUsed / wallSeconds,
    finalStates: states,
    perRound,
    ratioAckToRawCommits: ackRate / raw.full.perSecond,
    ratioTurnsToRawCommits: turnRate / raw.full.perSecond,
    ratioTurnsToShapedCommits: turnRate / raw.shaped.perSecond,
    ratioAckToBareKoa: ackRate / raw.load.perSecond,
  };
  const S = '2 inbound';
  row(
    S,
    'replies acknowledged (202) per s',
    fmt.n(ackRate),
    `${events} replies, ${failures} errors; acks race the processing`,
  );
  row(S, '202 latency p50 / p99 (durable inbox commit)', `${fmt.ms(p(ackMs, 50))} / ${fmt.ms(p(ackMs, 99))}`);
  row(
    S,
    'turns/s until every reply was answered',
    fmt.n(turnRate, 1),
    `reply -> classify -> decide -> compose -> validate -> send -> persist`,
  );
  row(
    S,
    'reply -> answer sent, p50 / p99 (from the 202)',
    `${fmt.ms(p(answerMs, 50))} / ${fmt.ms(p(answerMs, 99))}`,
    `from the POST: ${fmt.ms(p(answerFromPostMs, 50))} / ${fmt.ms(p(answerFromPostMs, 99))}; queueing included`,
  );
  row(
    S,
    'agent CPU during the rounds',
    `${(cpuUsed / wallSeconds).toFixed(2)} cores`,
    `${cpuUsed.toFixed(1)} s CPU in ${wallSeconds.toFixed(1)} s`,
  );
  row(
    S,
    'acks/s ÷ raw durable commits/s',
    `${((100 * ackRate) / raw.full.perSecond).toFixed(1)} %`,
    `÷ bare Koa req/s: ${((100 * ackRate) / raw.load.perSecond).toFixed(1)} %`,
  );
  row(
    S,
    'turns/s ÷ raw durable commits/s',
    `${((100 * turnRate) / raw.full.perSecond).toFixed(1)} %`,
    `one turn costs the time of ${fmt.n(raw.full.perSecond / turnRate, 1)} raw 1-row commits or ${fmt.n(raw.shaped.perSecond / turnRate, 1)} product-shaped commits`,
  );
  row(
    S,
    'final states',
    states[expectedKey] === CFG.influencers ? 'as expected' : 'UNEXPECTED',
    Object.entries(states)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', '),
  );
  mailDb.close();
  agentDb.close();
  return { child, client };
}

// ---------------------------------------------------------------------------------------------------------
// 3. Boot with 10,000 negotiations
// ---------------------------------------------------------------------------------------------------------
async function seedTemplates(client: Client, dir: string) {
  const copies = CFG.templateCopies;
  const campaignId = 'bench-seed';
  log(`phase 3: driving ${TEMPLATES.length * copies} template negotiations through the product`);
  const created = await client.json<{ negotiations: { id: string; influencer: { email: string } }[] }>(
    'POST',
    '/api/v1/campaigns',
    campaignBody(campaignId, influencers(TEMPLATES.length * copies, 'Seed', 'seed.example')),
  );
  if (created.status !== 201) throw new Error(`seed campaign not created: ${created.status}`);
  const agentDb = openReadOnly(join(dir, 'data', 'agent.db'));
  const settled = agentDb.prepare(
    `SELECT busy = 0 AND NOT EXISTS (SELECT 1 FROM inbox WHERE negotiation_id = n.id AND taken_at IS NULL
      AND failed IS NULL) AND thread_id IS NOT NULL FROM negotiations n WHERE id = ?`,
  );
  const list = await client.json<{ id: string; threadId: string; influencer: { email: string }; state: string }[]>(
    'GET',
    `/api/v1/negotiations?campaign=${campaignId}&limit=1000`,
  );
  const negotiations = list.body;
  const templates: { id: string; category: string; expected: string }[] = [];
  await Promise.all(
    negotiations.map(async (n, i) => {
      const t = TEMPLATES[i % TEMPLATES.length];
      templates.push({ id: n.id, category: t.category, expected: t.state });
      await until(`template ${n.id} settled`, () => settled.pluck().get(n.id) === 1, 30_000);
      for (const [k, step] of t.steps.entries()) {
        await runStep(client, n, step, k);
        await until(`template ${n.id} settled`, () => settled.pluck().get(n.id) === 1, 30_000);
      }
    }),
  );
  const stateOf = agentDb.prepare('SELECT state FROM negotiations WHERE id = ?').pluck();
  for (const t of templates) {
    const state = stateOf.get(t.id);
    if (state !== t.expected) problems.push(`template ${t.category} (${t.id}) ended ${state}, expected ${t.expected}`);
  }
  agentDb.close();
  return { campaignId, templates };
}

async function runStep(
  client: Client,
  n: { id: string; threadId: string; influencer: { email: string } },
  step: Step,
  k: number,
) {
  if ('reply' in step) {
    const r = await client.request('POST', '/sandbox/mail', {
      from: n.influencer.email,
      threadId: n.threadId,
      text: step.reply,
      messageId: `<seed-${n.id}-${k}@seed.example>`,
    });
    if (r.status !== 202) throw new Error(`seed reply: ${r.status} ${r.body}`);
  } else {
    const r = await client.request('POST', `/api/v1/negotiations/${n.id}/${step.control}`, { by: 'bench' });
    if (r.status !== 200) throw new Error(`seed ${step.control}: ${r.status} ${r.body}`);
  }
}

/** claim then release each negotiation (each actor is restored from SQLite), CFG.concurrency at a time. */
async function touchAll(client: Client, ids: string[]) {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  const one = async (id: string, action: 'claim' | 'release') => {
    const reply = await client.request('POST', `/api/v1/negotiations/${id}/${action}`, { by: 'bench' });
    latencies.push(reply.endedAt - reply.startedAt);
    if (reply.status !== 200 && errors++ < 5)
      problems.push(`${action} ${id}: ${reply.status} ${reply.body.slice(0, 200)}`);
  };
  await Promise.all(
    Array.from({ length: CFG.concurrency }, async () => {
      while (next < ids.length) {
        const id = ids[next++];
        await one(id, 'claim');
        await one(id, 'release');
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return {
    requests: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: p(latencies, 50),
    p99Ms: p(latencies, 99),
  };
}

function cloneCounts(total: number): Record<string, number> {
  const weights = TEMPLATES.map((t) => ({ category: t.category, exact: (total * t.weight) / 100 }));
  const counts = Object.fromEntries(weights.map((w) => [w.category, Math.floor(w.exact)]));
  let left = total - Object.values(counts).reduce((a, b) => a + b, 0);
  for (const w of weights.sort((a, b) => (b.exact % 1) - (a.exact % 1))) {
    if (left-- <= 0) break;
    counts[w.category]++;
  }
  return counts;
}

function dbStats(dir: string) {
  const file = (f: string) => {
    const path = join(dir, 'data', f);
    return existsSync(path) ? statSync(path).size : 0;
  };
  const db = openReadOnly(join(dir, 'data', 'agent.db'));
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  const states = Object.fromEntries(
    (
      db.prepare('SELECT state, COUNT(*) AS n FROM negotiations GROUP BY state ORDER BY n DESC').all() as {
        state: string;
        n: number;
      }[]
    ).map((r) => [r.state, r.n]),
  );
  const stats = {
    negotiations: count('SELECT COUNT(*) FROM negotiations'),
    nonTerminal: count("SELECT COUNT(*) FROM negotiations WHERE state NOT IN ('agreed', 'rejected', 'stopped')"),
    busy: count('SELECT COUNT(*) FROM negotiations WHERE busy = 1'),
    // due within the next 10 minutes: a boot would fire their TIMEOUTs (follow-ups) right away
    dueAtBoot: db
      .prepare('SELECT COUNT(*) FROM negotiations WHERE next_deadline_at <= ? AND failure IS NULL')
      .pluck()
      .get(Date.now() + 600_000) as number,
    withDeadline: count('SELECT COUNT(*) FROM negotiations WHERE next_deadline_at IS NOT NULL'),
    campaigns: count('SELECT COUNT(*) FROM campaigns'),
    timelineRows: count('SELECT COUNT(*) FROM timeline'),
    effectRows: count('SELECT COUNT(*) FROM effects'),
    inboxRows: count('SELECT COUNT(*) FROM inbox'),
    avgSnapshotBytes: count('SELECT AVG(LENGTH(snapshot)) FROM negotiations'),
    states,
    agentDbBytes: file('agent.db') + file('agent.db-wal'),
    sandboxDbBytes: file('sandbox.db') + file('sandbox.db-wal'),
  };
  db.close();
  return stats;
}

async function bootAtScale(dir: string, seeded: Awaited<ReturnType<typeof seedTemplates>>) {
  const existing = dbStats(dir).negotiations;
  const toClone = Math.max(0, CFG.negotiations - existing);
  log(`phase 3: cloning ${toClone} negotiations (database already holds ${existing})`);
  const cloned = cloneNegotiations({
    dataDir: join(dir, 'data'),
    templates: seeded.templates,
    counts: cloneCounts(toClone),
    seedCampaignId: seeded.campaignId,
    campaigns: CFG.cloneCampaigns,
    followUpAfterMs: FOLLOW_UP_MS,
  });
  // The clone wrote with synchronous=OFF: flush it now so the boots below do not share the disk with writeback.
  for (const f of ['agent.db', 'sandbox.db']) {
    const fd = openSync(join(dir, 'data', f), 'r+');
    fsyncSync(fd);
    closeSync(fd);
  }
  await sleep(1000);
  const stats = dbStats(dir);
  results.database = { ...stats, cloned };
  if (stats.dueAtBoot || stats.busy)
    problems.push(`database: ${stats.dueAtBoot} deadlines due, ${stats.busy} busy at boot`);
  const S = '3 boot @10k';
  row(
    S,
    'database',
    `${fmt.n(stats.negotiations)} negotiations`,
    `${((100 * stats.nonTerminal) / stats.negotiations).toFixed(0)}% non-terminal, ${stats.busy} busy, ${stats.withDeadline} with a follow-up timer (${stats.dueAtBoot} due), ${stats.campaigns} campaigns, ${fmt.n(stats.timelineRows)} timeline rows, ${fmt.n(stats.effectRows)} effect rows; agent.db ${fmt.mb(stats.agentDbBytes)}, sandbox.db ${fmt.mb(stats.sandboxDbBytes)}; ${cloned.negotiations} cloned in ${cloned.seconds.toFixed(1)} s`,
  );
  row(
    S,
    'states',
    `${Object.keys(stats.states).length} states`,
    Object.entries(stats.states)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  );

  // Fresh starts: spawn -> /ready -> stop, BOOTS times; the last agent stays up for the memory measurements.
  const bootMs: number[] = [];
  let started: Awaited<ReturnType<typeof startAgent>> | undefined;
  for (let i = 1; i <= CFG.boots; i++) {
    started = await startAgent(dir, `agent-boot-${i}`);
    bootMs.push(started.bootMs);
    if (i < CFG.boots) await stopAgent(started.child, started.client, `boot ${i}`);
  }
  const { child, client } = started as NonNullable<typeof started>;
  const rssReady = vmRss(child.pid);
  const ready = readLog(child.logFile).ready.at(-1) ?? {};
  await sleep(1000);
  const rssIdle = vmRss(child.pid);
  const base = await child.gcMemory();
  row(
    S,
    `boot: spawn -> GET /ready 200 (median of ${CFG.boots})`,
    fmt.ms(p(bootMs, 50)),
    `runs ${bootMs.map((b) => b.toFixed(0)).join(', ')} ms; agent's own readyMs ${String(ready.readyMs)} (restored ${String(ready.restored)}, redelivered ${String(ready.redelivered)})`,
  );
  row(
    S,
    'RSS at ready / after 1 s idle',
    `${fmt.mb(rssReady)} / ${fmt.mb(rssIdle)}`,
    `VmRSS; after forced GC: RSS ${fmt.mb(base.rss)}, V8 heap used ${fmt.mb(base.heapUsed)}`,
  );

  // Touch idle negotiations: claim + release restores each actor (GET /api/v1/negotiations/:id would not).
  // Two batches (both within ACTOR_CACHE_SIZE=2000, so nothing is evicted): the first includes one-off warm-up
  // (JIT, SQLite page cache), the second gives the marginal cost of one more live negotiation.
  const agentDb = openReadOnly(join(dir, 'data', 'agent.db'));
  const ids = agentDb
    .prepare(
      `SELECT id FROM negotiations WHERE state NOT IN ('agreed', 'rejected', 'stopped') AND human_controlled = 0
        AND failure IS NULL ORDER BY random() LIMIT ?`,
    )
    .pluck()
    .all(CFG.touch * 2) as string[];
  agentDb.close();
  const batches = [ids.slice(0, CFG.touch), ids.slice(CFG.touch)];
  const measured: Record<string, unknown>[] = [];
  let before = { rss: rssIdle, gc: base };
  for (const [b, batch] of batches.entries()) {
    const touch = await touchAll(client, batch);
    await sleep(500);
    const rss = vmRss(child.pid);
    const gc = await child.gcMemory();
    const m = {
      batch: b + 1,
      negotiations: batch.length,
      ...touch,
      rssBytes: rss,
      afterGc: gc,
      perNegotiationHeapBytes: (gc.heapUsed - before.gc.heapUsed) / batch.length,
      perNegotiationRssBytes: (rss - before.rss) / batch.length,
      perNegotiationRssAfterGcBytes: (gc.rss - before.gc.rss) / batch.length,
    };
    measured.push(m);
    before = { rss, gc };
    const which = b === 0 ? `first ${batch.length}` : `next ${batch.length}`;
    row(
      S,
      `claim+release, ${which} idle negotiations`,
      `${fmt.n(touch.perSecond)} req/s`,
      `${touch.seconds.toFixed(2)} s, ${touch.errors} errors, p50 ${fmt.ms(touch.p50Ms)}, p99 ${fmt.ms(touch.p99Ms)}; then RSS ${fmt.mb(rss)}, after GC ${fmt.mb(gc.rss)} (V8 heap used ${fmt.mb(gc.heapUsed)} of ${fmt.mb(gc.heapTotal)})`,
    );
    row(
      S,
      `memory per live negotiation (${which})`,
      `${fmt.kb(m.perNegotiationHeapBytes)} heap`,
      `V8 heap used after forced GC; VmRSS ${fmt.kb(m.perNegotiationRssBytes)} (no GC), ${fmt.kb(m.perNegotiationRssAfterGcBytes)} (after GC)`,
    );
  }
  results.bootAtScaleMs = bootMs;
  results.boot = {
    mode: 'child process',
    bootMs,
    bootMedianMs: p(bootMs, 50),
    agentReadyLog: ready,
    rssReadyBytes: rssReady,
    rssIdleBytes: rssIdle,
    afterGcIdle: base,
    touched: measured,
  };
  return { child, client };
}

// ---------------------------------------------------------------------------------------------------------
// 4. Read API at 10,000 negotiations
// ---------------------------------------------------------------------------------------------------------
async function readApi(client: Client, dir: string) {
  log('phase 4: read API latency');
  const S = '4 read API @10k';
  const agentDb = openReadOnly(join(dir, 'data', 'agent.db'));
  const ids = agentDb.prepare('SELECT id FROM negotiations ORDER BY random() LIMIT 200').pluck().all() as string[];
  agentDb.close();
  const cases: { name: string; count: number; path: (i: number) => string }[] = [
    { name: 'GET /api/v1/campaigns', count: 100, path: () => '/api/v1/campaigns' },
    {
      name: 'GET /api/v1/negotiations?campaign=<id>',
      count: 100,
      path: (i) => `/api/v1/negotiations?campaign=bench-c${String((i % CFG.cloneCampaigns) + 1).padStart(2, '0')}`,
    },
    { name: 'GET /api/v1/negotiations (first 500)', count: 50, path: () => '/api/v1/negotiations' },
    {
      name: 'GET /api/v1/negotiations/:id (with timeline)',
      count: 200,
      path: (i) => `/api/v1/negotiations/${ids[i % ids.length]}`,
    },
    {
      name: 'GET /api/v1/campaigns/:id (all its negotiations)',
      count: 50,
      path: (i) => `/api/v1/campaigns/bench-c${String((i % CFG.cloneCampaigns) + 1).padStart(2, '0')}`,
    },
    { name: 'GET /metrics', count: 50, path: () => '/metrics' },
  ];
  const api: Record<string, unknown> = {};
  for (const c of cases) {
    let bytes = 0;
    const load = await runLoad({
      client,
      concurrency: 1,
      count: c.count,
      make: (i) => ({ method: 'GET', path: c.path(i) }),
      onReply: (_i, r) => {
        bytes = Math.max(bytes, r.body.length);
      },
    });
    api[c.name] = { ...summary(load), maxBodyBytes: bytes };
    row(
      S,
      `${c.name} p50 / p95`,
      `${fmt.ms(p(load.latenciesMs, 50))} / ${fmt.ms(p(load.latenciesMs, 95))}`,
      `${c.count} sequential requests, p99 ${fmt.ms(p(load.latenciesMs, 99))}, body ≤ ${fmt.kb(bytes)}, errors ${load.errors}`,
    );
  }
  // GET /sandbox/mail has no limit: it returns every email the agent ever sent.
  const t0 = performance.now();
  const all = await client.request('GET', '/sandbox/mail');
  const ms = performance.now() - t0;
  api['GET /sandbox/mail'] = { ms, bytes: all.body.length, status: all.status };
  row(S, 'GET /sandbox/mail (unpaginated, once)', fmt.ms(ms), `status ${all.status}, ${fmt.mb(all.body.length)} body`);
  results.readApi = api;
}

// ---------------------------------------------------------------------------------------------------------
// 5. Boot after downtime: follow-ups that fell due while the agent was down fire at once
// ---------------------------------------------------------------------------------------------------------
async function overdueBoot(dir: string) {
  const S = '5 boot, overdue';
  const file = join(dir, 'data', 'agent.db');
  // As if the agent had been down for a day: OVERDUE waiting negotiations passed their follow-up time 0-24 h ago.
  const db = new Database(file);
  const ids = db
    .prepare(
      `SELECT id FROM negotiations WHERE state IN ('awaiting_reply', 'counter_sent') AND human_controlled = 0
        AND next_deadline_at IS NOT NULL AND failure IS NULL ORDER BY random() LIMIT ?`,
    )
    .pluck()
    .all(CFG.overdue) as string[];
  const setDeadline = db.prepare('UPDATE negotiations SET next_deadline_at = ? WHERE id = ?');
  db.transaction(() => {
    for (const id of ids) setDeadline.run(Date.now() - Math.round(Math.random() * 24 * 3_600_000), id);
  })();
  db.close();
  log(`phase 5: boot with ${ids.length} overdue follow-ups`);
  const mailDb = openReadOnly(join(dir, 'data', 'sandbox.db'));
  const outCount = mailDb.prepare("SELECT COUNT(*) FROM mail WHERE direction = 'out'").pluck();
  const before = outCount.get() as number;
  const { child, client, bootMs } = await startAgent(dir, 'agent-overdue');
  const readyLog = readLog(child.logFile).ready.at(-1) ?? {};
  // /ready latency while the catch-up runs, and the time until every follow-up is out.
  const probes: number[] = [];
  let done = false;
  const probing = (async () => {
    while (!done) {
      const r = await client.request('GET', '/ready');
      probes.push(r.endedAt - r.startedAt);
      await sleep(20);
    }
  })();
  const doneAt = await until(
    'overdue follow-ups',
    () => ((outCount.get() as number) - before >= ids.length ? performance.now() : undefined),
    120_000,
    5,
  );
  done = true;
  await probing;
  const catchUpSeconds = (doneAt - child.spawnedAt) / 1000;
  const sent = (outCount.get() as number) - before;
  mailDb.close();
  const rss = vmRss(child.pid);
  row(
    S,
    `boot with ${ids.length} follow-ups overdue: spawn -> GET /ready 200`,
    fmt.ms(bootMs),
    `agent's own readyMs ${String(readyLog.readyMs)}; a clean boot of the same database took ${fmt.ms(p(results.bootAtScaleMs as number[], 50))}`,
  );
  row(
    S,
    'spawn -> every overdue follow-up sent',
    `${catchUpSeconds.toFixed(2)} s`,
    `${sent} follow-up emails, ${fmt.n(sent / catchUpSeconds)}/s incl. boot; ${probes.length} GET /ready probes after ready, slowest ${fmt.ms(Math.max(...probes))}; RSS then ${fmt.mb(rss)}`,
  );
  results.overdueBoot = {
    overdue: ids.length,
    bootMs,
    agentReadyLog: readyLog,
    catchUpSeconds,
    followUpsSent: sent,
    readyProbeP50Ms: p(probes, 50),
    readyProbeMaxMs: Math.max(...probes),
    rssBytes: rss,
  };
  await stopAgent(child, client, 'phase 5 agent');
}

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const meta = { machine: machine(), date: new Date().toISOString(), config: CFG, loadAverageAtStart: loadavg() };
  log(`bench on ${meta.machine.cpuModel} x${meta.machine.cores}, ${meta.machine.os}, node ${meta.machine.node}`);
  let failure: unknown;
  try {
    const raw = await rawLimits();
    const dir = tempDir('bench-agent-');
    let { child, client } = await inbound(raw, dir);
    const seeded = await seedTemplates(client, dir);
    const stop1 = await stopAgent(child, client, 'phase 2/3 agent');
    row('3 boot @10k', 'graceful stop (SIGTERM -> exit) before cloning', fmt.ms(stop1.ms), `exit code ${stop1.code}`);
    ({ child, client } = await bootAtScale(dir, seeded));
    await readApi(client, dir);
    const stop2 = await stopAgent(child, client, 'phase 3/4 agent');
    row(
      '4 read API @10k',
      'graceful stop after the touches',
      fmt.ms(stop2.ms),
      `exit code ${stop2.code}, ${stop2.warnLines} warn/error log lines`,
    );
    await overdueBoot(dir);
  } catch (error) {
    failure = error;
    problems.push(`BENCH FAILED: ${error instanceof Error ? error.message : String(error)}`);
  }

  const totalSeconds = (performance.now() - benchStarted) / 1000;
  const loadAverageAtEnd = loadavg();
  const table = printTable(rows);
  process.stdout.write(`\n${table}\n`);
  const m = meta.machine;
  const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  process.stdout.write(
    [
      '',
      'Agents run as child processes (node server/main.ts, sandbox mode, SQLITE_SYNCHRONOUS=FULL, ' +
        `LOG_LEVEL=${CFG.logLevel} to a file); the load generator is this process (node:http, keep-alive).`,
      `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}; temp files on ${m.tmpFilesystem}`,
      `Date: ${meta.date}; bench took ${totalSeconds.toFixed(1)} s; load average (1/5/15 min) at start ` +
        `${loads(meta.loadAverageAtStart)}, at end ${loads(loadAverageAtEnd)}`,
      '',
    ].join('\n'),
  );
  if (problems.length) process.stdout.write(`\nProblems seen:\n${problems.map((x) => `  - ${x}`).join('\n')}\n`);
  const out = join(ROOT, 'bench', 'results.json');
  writeFileSync(
    out,
    `${JSON.stringify({ ...meta, loadAverageAtEnd, totalSeconds, failed: failure !== undefined, results, problems, table: rows }, null, 2)}\n`,
  );
  process.stdout.write(`\nWrote ${out}\n`);
  cleanup();
  if (failure !== undefined) {
    process.stderr.write(`\nbench failed: ${failure instanceof Error ? failure.stack : String(failure)}\n`);
    process.exitCode = 1;
  }
}

await main();

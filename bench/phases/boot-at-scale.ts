/**
 * Phase 4: boot with BENCH_NEGOTIATIONS negotiations: boot time, RSS, memory per idle and per live negotiation.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '../lib/http.ts';
import { readLog, vmRss } from '../lib/processes.ts';
import { fmt } from '../lib/report.ts';
import { CFG, GOAL, MiB, p, problems, results, row, sleep, targets } from '../lib/common.ts';
import { bootRss, openReadOnly, startAgent, stopAgent } from '../lib/agent.ts';
import type { Raw } from './raw-limits.ts';
import { growTo, negotiationCount, type Seeded } from './seed.ts';

/** claim then release each negotiation (each actor is restored from SQLite), CFG.concurrency at a time. */
export async function touchAll(client: Client, ids: string[]) {
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

export function dbStats(dir: string) {
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

export async function bootAtScale(raw: Raw, dir: string, seeded: Seeded) {
  const emptyRss = (results.emptyAgent as { rss: Awaited<ReturnType<typeof bootRss>> }).rss;
  // First at BENCH_MID_NEGOTIATIONS: one boot, for the memory an additional idle negotiation costs.
  let mid: { negotiations: number; bootMs: number; rss: Awaited<ReturnType<typeof bootRss>> } | undefined;
  if (CFG.midNegotiations > 0 && CFG.midNegotiations < CFG.negotiations) {
    const grown = growTo(dir, CFG.midNegotiations, seeded);
    await sleep(500);
    const S = `4 boot @${fmt.n(CFG.midNegotiations / 1000)}k`;
    const stats = { negotiations: negotiationCount(dir) };
    const started = await startAgent(dir, 'agent-boot-mid');
    const rss = await bootRss(started.child);
    const t0 = performance.now();
    const all = await started.client.request('GET', '/sandbox/mail');
    const mailMs = performance.now() - t0;
    await stopAgent(started.child, started.client, 'mid boot');
    mid = { negotiations: stats.negotiations, bootMs: started.bootMs, rss };
    results.bootMid = { ...mid, cloned: grown, sandboxMailUnpaginated: { ms: mailMs, bytes: all.body.length } };
    row(
      S,
      `${fmt.n(stats.negotiations)} negotiations: spawn -> GET /ready 200 (one boot)`,
      fmt.ms(started.bootMs),
      `cloned ${grown.negotiations} in ${grown.seconds.toFixed(1)} s; RSS at ready ${fmt.mb(rss.ready)}, after 1 s ${fmt.mb(rss.idle)}, after GC ${fmt.mb(rss.gc.rss)} (V8 heap ${fmt.mb(rss.gc.heapUsed)})`,
    );
    row(
      S,
      'GET /sandbox/mail (unpaginated, once)',
      fmt.ms(mailMs),
      `status ${all.status}, ${fmt.mb(all.body.length)} body: every email ever sent, grows with the database`,
    );
  }

  const grown = growTo(dir, CFG.negotiations, seeded);
  await sleep(1000);
  const stats = dbStats(dir);
  results.database = { ...stats, cloned: grown };
  if (stats.dueAtBoot || stats.busy)
    problems.push(`database: ${stats.dueAtBoot} deadlines due, ${stats.busy} busy at boot`);
  const S = `4 boot @${fmt.n(CFG.negotiations / 1000)}k`;
  row(
    S,
    'database',
    `${fmt.n(stats.negotiations)} negotiations`,
    `${((100 * stats.nonTerminal) / stats.negotiations).toFixed(0)}% non-terminal, ${stats.busy} busy, ${stats.withDeadline} with a follow-up timer (${stats.dueAtBoot} due), ${stats.campaigns} campaigns, ${fmt.n(stats.timelineRows)} timeline rows, ${fmt.n(stats.effectRows)} effect rows, snapshots ${fmt.n(stats.avgSnapshotBytes)} B on average; agent.db ${fmt.mb(stats.agentDbBytes)}, sandbox.db ${fmt.mb(stats.sandboxDbBytes)}; ${grown.negotiations} cloned in ${grown.seconds.toFixed(1)} s (batches of 10,000), fsync ${grown.fsyncSeconds.toFixed(1)} s`,
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
  const ready = readLog(child.logFile).ready.at(-1) ?? {};
  const rss = await bootRss(child);
  const base = rss.gc;
  row(
    S,
    `boot: spawn -> GET /ready 200 (median of ${CFG.boots})`,
    fmt.ms(p(bootMs, 50)),
    `runs ${bootMs.map((b) => b.toFixed(0)).join(', ')} ms; agent's own readyMs ${String(ready.readyMs)} (restored ${String(ready.restored)}, redelivered ${String(ready.redelivered)}); node + import of server/main.ts alone: ${fmt.ms(raw.startup.importMs)}`,
  );
  row(
    S,
    'RSS at ready / after 1 s idle',
    `${fmt.mb(rss.ready)} / ${fmt.mb(rss.idle)}`,
    `VmRSS; after forced GC: RSS ${fmt.mb(base.rss)}, V8 heap used ${fmt.mb(base.heapUsed)}; empty database: ${fmt.mb(emptyRss.afterBoot)}`,
  );
  let perIdle: { rssBytes: number; heapBytes: number; from: number } | undefined;
  if (mid) {
    const more = stats.negotiations - mid.negotiations;
    perIdle = {
      from: mid.negotiations,
      rssBytes: (base.rss - mid.rss.gc.rss) / more,
      heapBytes: (base.heapUsed - mid.rss.gc.heapUsed) / more,
    };
    row(
      S,
      `memory per additional idle (stored, not loaded) negotiation, ${fmt.n(mid.negotiations)} -> ${fmt.n(stats.negotiations)}`,
      `${(perIdle.rssBytes).toFixed(0)} B RSS`,
      `after forced GC at both sizes; V8 heap ${perIdle.heapBytes.toFixed(0)} B; RSS ${fmt.mb(mid.rss.gc.rss)} -> ${fmt.mb(base.rss)}`,
    );
  }

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
  let before = { rss: rss.idle, gc: base };
  let perLiveHeap = Number.NaN;
  for (const [b, batch] of batches.entries()) {
    const touch = await touchAll(client, batch);
    await sleep(500);
    const now = vmRss(child.pid);
    const gc = await child.gcMemory();
    const m = {
      batch: b + 1,
      negotiations: batch.length,
      ...touch,
      rssBytes: now,
      afterGc: gc,
      perNegotiationHeapBytes: (gc.heapUsed - before.gc.heapUsed) / batch.length,
      perNegotiationRssBytes: (now - before.rss) / batch.length,
      perNegotiationRssAfterGcBytes: (gc.rss - before.gc.rss) / batch.length,
    };
    measured.push(m);
    before = { rss: now, gc };
    if (b === 1) perLiveHeap = m.perNegotiationHeapBytes;
    const which = b === 0 ? `first ${batch.length}` : `next ${batch.length}`;
    row(
      S,
      `claim+release, ${which} idle negotiations`,
      `${fmt.n(touch.perSecond)} req/s`,
      `${touch.seconds.toFixed(2)} s, ${touch.errors} errors, p50 ${fmt.ms(touch.p50Ms)}, p99 ${fmt.ms(touch.p99Ms)}; then RSS ${fmt.mb(now)}, after GC ${fmt.mb(gc.rss)} (V8 heap used ${fmt.mb(gc.heapUsed)} of ${fmt.mb(gc.heapTotal)})`,
    );
    row(
      S,
      `memory per live (restored) negotiation (${which})`,
      `${fmt.kb(m.perNegotiationHeapBytes)} heap`,
      `V8 heap used after forced GC; VmRSS ${fmt.kb(m.perNegotiationRssBytes)} (no GC), ${fmt.kb(m.perNegotiationRssAfterGcBytes)} (after GC)`,
    );
  }
  results.bootAtScaleMs = bootMs;
  results.boot = {
    mode: 'child process',
    negotiations: stats.negotiations,
    bootMs,
    bootMedianMs: p(bootMs, 50),
    agentReadyLog: ready,
    rss,
    perIdleNegotiation: perIdle,
    touched: measured,
  };
  targets.push(
    {
      id: 'boot.ready',
      what: `Boot with ${fmt.n(stats.negotiations)} persisted negotiations (${((100 * stats.nonTerminal) / stats.negotiations).toFixed(0)} % non-terminal): spawn -> /ready`,
      kind: 'max',
      goal: GOAL.bootReadyMs,
      unit: 'ms',
      measured: p(bootMs, 50),
      raw: { label: 'node + import server/main.ts', value: raw.startup.importMs, unit: 'ms' },
      note: `median of ${CFG.boots}; agent's own readyMs ${String(ready.readyMs)}`,
    },
    {
      id: 'boot.rss',
      what: `RSS after that boot (max of at ready / 1 s later)`,
      kind: 'max',
      goal: GOAL.bootRssBytes / MiB,
      unit: 'MiB',
      measured: rss.afterBoot / MiB,
      raw: { label: 'node + import server/main.ts', value: raw.startup.importMemory.rss / MiB, unit: 'MiB' },
      note: `same agent with an empty database: ${fmt.mb(emptyRss.afterBoot)}; after forced GC ${fmt.mb(rss.gc.rss)}, V8 heap used ${fmt.mb(rss.gc.heapUsed)}; after restoring ${fmt.n(ids.length)} actors (claim+release): ${fmt.mb(Number(measured.at(-1)?.rssBytes))}`,
    },
    {
      id: 'boot.perIdle',
      what: 'Memory per additional idle negotiation (stored, not loaded)',
      kind: 'info',
      goal: 0,
      unit: 'B',
      measured: perIdle ? perIdle.rssBytes : Number.NaN,
      note: perIdle
        ? `${Math.abs(perIdle.rssBytes) < 256 ? 'no measurable growth (stored negotiations are not held in memory); ' : ''}RSS after GC, ${fmt.n(perIdle.from)} -> ${fmt.n(stats.negotiations)}; V8 heap ${perIdle.heapBytes.toFixed(0)} B; once restored (live actor): ${fmt.kb(perLiveHeap)} heap each`
        : 'not measured (BENCH_MID_NEGOTIATIONS)',
    },
  );
  return { child, client };
}

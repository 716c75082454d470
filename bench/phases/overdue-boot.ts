/**
 * Phase 6: a boot after downtime: follow-ups that fell due while the agent was down fire at once.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readLog, vmRss } from '../lib/processes.ts';
import { fmt } from '../lib/report.ts';
import { CFG, log, p, results, row, sleep } from '../lib/common.ts';
import { openReadOnly, startAgent, stopAgent, until } from '../lib/agent.ts';

export async function overdueBoot(dir: string) {
  const S = '6 boot, overdue';
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
  log(`phase 6: boot with ${ids.length} overdue follow-ups`);
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
  await stopAgent(child, client, 'phase 6 agent');
}

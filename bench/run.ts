/**
 * The benchmark (npm run bench). Every agent runs as a CHILD PROCESS (`node server/main.ts`, the production
 * entry point, sandbox mode, synchronous=FULL, LOG_LEVEL=info logging to a file) so the load generator (this
 * process: node:http, keep-alive) does not share its event loop. It judges the targets of the benchmarks issue
 * (bench/lib/targets.ts), each beside the raw limit measured in this same run. Phases:
 *   1. raw limits: durable single-row commits/s (better-sqlite3, persistence/db.ts pragmas), a product-shaped
 *      commit on the real schema, node startup + module loading, and a bare Koa route's requests/s;
 *   2. one agent, empty database at first (its boot and RSS are the floor for phase 3):
 *      a. inbound events: POST /sandbox/mail -> durable inbox -> actor -> REPLY transition committed, seen by a
 *         read-only SQLite connection polling the timeline for the email_received entry (bench/lib/watch.ts).
 *         The replies go to BENCH_INBOUND_NEGOTIATIONS negotiations claimed by a human first, so they are
 *         recorded and relayed to the Slack stand-in, never answered: capacity (closed loop), then open loop
 *         at 80 % of that capacity and at the target rate (75 % of the raw durable-commit rate);
 *      b. full negotiation turns on BENCH_INFLUENCERS negotiations: reply -> classify -> decide -> compose ->
 *         gate -> send -> persisted (the email_sent entry committed, seen the same way): capacity at saturation
 *         (closed loop, BENCH_CONCURRENCY in flight), then open loop at 80 % of it (50 % if the agent does not
 *         keep pace), at a fixed BENCH_STEADY_RATE (50/s, three seconds), then at the target (500/s for one second);
 *   3. model calls and tokens per inbound reply: a second agent with MODEL_PROVIDER=anthropic against the fake
 *      Messages API (test/support/fake-anthropic.ts, started in this process), shipped knowledge_base/;
 *   4. boot with BENCH_NEGOTIATIONS persisted negotiations (real ones driven through the product, then cloned:
 *      bench/lib/clone.ts), first at BENCH_MID_NEGOTIATIONS (memory per additional idle negotiation), then at
 *      full size: spawn -> /ready, VmRSS, and memory per live negotiation after claim+release of BENCH_TOUCH
 *      (then as many more) idle ones; forced GCs go through bench/child-hooks.ts;
 *   5. dashboard/read API latency at full size, beside the same queries run in-process (the SQLite floor);
 *   6. a boot after downtime: BENCH_OVERDUE follow-ups fell due while the agent was down;
 *   5b (after 5, same agent). the dashboard at full size (bench/lib/dashboard.ts): keyset list pages, "Needs you",
 *      the first view in headless Chromium.
 *   7. the send queue at campaign scale (bench/phases/send-queue.ts): BENCH_QUEUE_INFLUENCERS (10,000) influencers
 *      against the fake Gmail that enforces Gmail's limits, on the sandbox clock across days;
 * Knobs (environment): BENCH_INFLUENCERS (1000), BENCH_INBOUND_NEGOTIATIONS (1000), BENCH_CONCURRENCY (16), BENCH_STEADY_RATE (50),
 * BENCH_NEGOTIATIONS (100000), BENCH_MID_NEGOTIATIONS (10000), BENCH_TOUCH (1000), BENCH_OVERDUE (1000),
 * BENCH_MODEL_INFLUENCERS (30), BENCH_LOG_LEVEL (info), BENCH_KEEP_TMP=1 (keep the temp dirs), BENCH_NODE_ARGS
 * (extra node flags for the children, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), BENCH_ONLY=turns (phases 1 and 2b
 * only: raw limits and full turns, about 30 s: the quick loop for work on the runtime). Writes bench/results.json.
 *
 * This file only runs the phases in order. Each phase is a file in bench/phases/ that records its rows, targets
 * and results through bench/lib/common.ts; bench/lib/summary.ts prints the table and judges the targets at the end.
 */
import { loadavg } from 'node:os';
import { CFG, log, results, row, problems, targets } from './lib/common.ts';
import { stopAgent } from './lib/agent.ts';
import { dashboardAtScale } from './lib/dashboard.ts';
import { installCleanup, tempDir } from './lib/processes.ts';
import { fmt, machine } from './lib/report.ts';
import { finish, loads } from './lib/summary.ts';
import { agentPhases } from './phases/agent.ts';
import { bootAtScale } from './phases/boot-at-scale.ts';
import { modelCalls } from './phases/model-calls.ts';
import { overdueBoot } from './phases/overdue-boot.ts';
import { rawLimits } from './phases/raw-limits.ts';
import { readApi } from './phases/read-api.ts';
import { seedTemplates } from './phases/seed.ts';
import { sendQueuePhase } from './phases/send-queue.ts';

installCleanup();

async function main() {
  const meta = { machine: machine(), date: new Date().toISOString(), config: CFG, loadAverageAtStart: loadavg() };
  const m = meta.machine;
  log(
    `bench on ${m.cpuModel} x${m.cores}, ${m.memoryGiB} GiB RAM, ${m.os}, node ${m.node}; disk ${m.tmpFilesystem}; load average ${loads(meta.loadAverageAtStart)}`,
  );
  let failure: unknown;
  try {
    const raw = await rawLimits();
    const dir = tempDir('bench-agent-');
    let { child, client } = await agentPhases(raw, dir);
    if (CFG.only) {
      await stopAgent(child, client, 'phase 2 agent');
      return finish(meta, failure);
    }
    const seeded = await seedTemplates(client, dir);
    const stop1 = await stopAgent(child, client, 'phase 2/4 agent');
    row('2 agent, empty DB', 'graceful stop (SIGTERM -> exit)', fmt.ms(stop1.ms), `exit code ${stop1.code}`);
    await modelCalls();
    ({ child, client } = await bootAtScale(raw, dir, seeded));
    await readApi(client, dir);
    const campaigns = Array.from({ length: CFG.cloneCampaigns }, (_, i) => `bench-c${String(i + 1).padStart(2, '0')}`);
    results.dashboard = await dashboardAtScale({
      client,
      url: child.url,
      negotiations: CFG.negotiations,
      campaigns,
      row,
      targets,
      problems,
    });
    const stop2 = await stopAgent(child, client, 'phase 4/5 agent');
    row(
      `5 read API @${fmt.n(CFG.negotiations / 1000)}k`,
      'graceful stop after the touches',
      fmt.ms(stop2.ms),
      `exit code ${stop2.code}, ${stop2.warnLines} warn/error log lines`,
    );
    await overdueBoot(dir);
    const queue = await sendQueuePhase(); // 7. the send queue at campaign scale
    for (const [metric, value, note] of queue.rows) row('7 send queue', metric, value, note);
    targets.push(...queue.targets);
    problems.push(...queue.problems);
  } catch (error) {
    failure = error;
    problems.push(`BENCH FAILED: ${error instanceof Error ? error.message : String(error)}`);
  }
  finish(meta, failure);
}

await main();

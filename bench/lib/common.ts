/**
 * The bench's configuration (BENCH_* knobs) and targets, and what every phase records: the rows of the table,
 * the targets to judge, the results written to bench/results.json and the problems seen.
 */
import { percentile } from './http.ts';
import type { TableRow } from './report.ts';
import type { Target } from './targets.ts';

export const env = process.env;
export const CFG = {
  influencers: Number(env.BENCH_INFLUENCERS ?? 1000),
  inboundNegotiations: Number(env.BENCH_INBOUND_NEGOTIATIONS ?? 1000),
  concurrency: Number(env.BENCH_CONCURRENCY ?? 16),
  /** the fixed open-loop rate of phase 2b, turns/s: the same load in every run */
  steadyRate: Number(env.BENCH_STEADY_RATE ?? 50),
  inboundConcurrency: 32,
  inboundSeconds: 3,
  negotiations: Number(env.BENCH_NEGOTIATIONS ?? 100_000),
  midNegotiations: Number(env.BENCH_MID_NEGOTIATIONS ?? 10_000),
  touch: Number(env.BENCH_TOUCH ?? 1000),
  overdue: Number(env.BENCH_OVERDUE ?? 1000),
  modelInfluencers: Number(env.BENCH_MODEL_INFLUENCERS ?? 30),
  templateCopies: 2,
  boots: 3,
  cloneCampaigns: 19,
  logLevel: env.BENCH_LOG_LEVEL ?? 'info',
  /** 'turns': only phases 1 and 2b (raw limits, full turns): the quick loop for work on the runtime */
  only: env.BENCH_ONLY === 'turns' ? ('turns' as const) : null,
  rawSeconds: 2,
  httpSeconds: 3,
};
/** The targets of the benchmarks issue. */
export const GOAL = {
  inboundShareOfRaw: 0.75,
  inboundP99Ms: 25,
  turnsPerSecond: 500,
  turnP99Ms: 50,
  bootReadyMs: 2000,
  bootRssBytes: 300 * 2 ** 20,
  apiP95Ms: 50,
  modelCallsPerReply: 2,
};
export const SUSTAINED = 0.8; // "a load the agent sustains": this share of the capacity measured just before
export const FOLLOW_UP_MS = 72 * 3_600_000; // FOLLOW_UP_AFTER_HOURS default

export const benchStarted = performance.now();
export const rows: TableRow[] = [];
export const targets: Target[] = [];
export const results: Record<string, unknown> = {};
export const problems: string[] = [];
export const row = (section: string, metric: string, value: string, note?: string) => {
  rows.push({ section, metric, value, note });
  process.stdout.write(`  ${metric}: ${value}${note ? `  (${note})` : ''}\n`);
};
export const log = (message: string) =>
  process.stdout.write(`[${((performance.now() - benchStarted) / 1000).toFixed(1)}s] ${message}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const p = (samples: number[], q: number) => percentile(samples, q);
export const MiB = 2 ** 20;

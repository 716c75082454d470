/**
 * Phase 2b: full negotiation turns, reply -> classify -> decide -> compose -> gate -> send -> persisted.
 */
import type Database from 'better-sqlite3';
import { type Client, openLoop, type Reply, runLoad } from '../lib/http.ts';
import type { Child } from '../lib/processes.ts';
import { fmt } from '../lib/report.ts';
import { COUNTER_ASKS } from '../lib/scenarios.ts';
import type { TimelineWatch } from '../lib/watch.ts';
import { CFG, GOAL, log, p, problems, results, row, SUSTAINED, targets } from '../lib/common.ts';
import { type CpuUse, cpuMeter, cpuMsPer, cpuNote, cpuSeconds } from '../lib/cpu.ts';
import { quiet } from '../lib/agent.ts';
import { allSettled, type expectations, type Negotiation } from '../lib/expectations.ts';
import type { Raw } from './raw-limits.ts';

export async function turns(
  raw: Raw,
  child: Child,
  client: Client,
  negotiations: Negotiation[],
  watch: TimelineWatch,
  expect: ReturnType<typeof expectations>,
  agentDb: Database.Database,
) {
  const S = '2b full turns';
  log(`phase 2b: full turns on ${negotiations.length} negotiations`);
  const states = agentDb
    .prepare('SELECT state, busy, COUNT(*) AS n FROM negotiations WHERE campaign_id = ? GROUP BY state, busy')
    .bind('bench-live');
  const lastEntries = agentDb.prepare(
    `SELECT type, at, substr(data, 1, 160) AS data FROM timeline WHERE negotiation_id = ? ORDER BY id DESC LIMIT 6`,
  );
  const describe = () =>
    `states ${JSON.stringify(states.all())}; waiting for ${JSON.stringify(
      expect
        .awaitingAnswers()
        .slice(0, 2)
        .map((id) => ({ id, replies: replies.get(id), last: lastEntries.all(id) })),
    )}`;
  // Each negotiation answers at most COUNTER_ASKS.length replies (asks rising, below the ceiling: a counter each).
  const replies = new Map<string, number>(negotiations.map((n) => [n.id, 0]));
  let cursor = 0;
  const take = (count: number): Negotiation[] => {
    const out: Negotiation[] = [];
    for (let k = 0; k < negotiations.length && out.length < count; k++) {
      const n = negotiations[cursor++ % negotiations.length];
      if ((replies.get(n.id) ?? 0) < COUNTER_ASKS.length) out.push(n);
    }
    return out;
  };
  const cpuBefore = cpuSeconds(child.pid);
  const wallBefore = performance.now();
  const steps: TurnStep[] = [];
  let failures = 0;

  type TurnStep = {
    step: string;
    offeredPerSecond: number | null;
    replies: number;
    errors: number;
    answered: number;
    seconds: number;
    turnsPerSecond: number;
    sustained: boolean;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    fromAckP50Ms: number;
    fromAckP99Ms: number;
    ackP50Ms: number;
    ackP99Ms: number;
    cpu: CpuUse;
    /** the agent's CPU milliseconds per answered turn during the step */
    cpuMsPerTurn: number;
    pollGapP99Ms: number;
    generatorLagP99Ms: number | null;
  };
  /** One step: `batch` replies (one per negotiation), closed loop (rate null) or open loop at `rate`. */
  async function step(name: string, batch: Negotiation[], rate: number | null): Promise<TurnStep> {
    const latencies: number[] = [];
    const fromAck: number[] = [];
    const acks: number[] = [];
    const waits: Promise<unknown>[] = [];
    const acked = new Map<string, number>();
    let lastSeen = 0;
    let firstSent = Number.POSITIVE_INFINITY;
    const mail = (i: number) => {
      const n = batch[i];
      const k = replies.get(n.id) ?? 0;
      replies.set(n.id, k + 1);
      return {
        from: n.email,
        threadId: n.threadId,
        text: COUNTER_ASKS[k],
        messageId: `<t${k}-${i}-${Date.now()}@creators.example>`,
      };
    };
    const track = (i: number, sentAt: number) => {
      const n = batch[i];
      firstSent = Math.min(firstSent, sentAt);
      waits.push(
        expect.answer(n.id).then((row) => {
          if (!row) return;
          latencies.push(row.seenAt - sentAt);
          const ack = acked.get(n.id);
          if (ack !== undefined) fromAck.push(row.seenAt - ack);
          lastSeen = Math.max(lastSeen, row.seenAt);
        }),
      );
    };
    const onReply = (i: number, reply: Reply) => {
      if (reply.status !== 202) {
        failures++;
        expect.cancelAnswer(batch[i].id);
        return;
      }
      acks.push(reply.endedAt - reply.startedAt);
      acked.set(batch[i].id, reply.endedAt);
    };
    watch.resetGaps();
    const meter = cpuMeter(child.pid);
    let errors = 0;
    let lag: number | null = null;
    if (rate === null) {
      const load = await runLoad({
        client,
        concurrency: CFG.concurrency,
        count: batch.length,
        make: (i) => {
          track(i, performance.now());
          return { method: 'POST', path: '/sandbox/mail', body: mail(i) };
        },
        onReply,
        onError: (i) => expect.cancelAnswer(batch[i].id),
      });
      errors = load.errors;
    } else {
      const load = await openLoop({
        client,
        rate,
        count: batch.length,
        make: (i) => ({ method: 'POST', path: '/sandbox/mail', body: mail(i) }),
        onSend: (i, dueAt) => track(i, dueAt),
        onReply: (i, reply) => onReply(i, reply),
        onError: (i) => expect.cancelAnswer(batch[i].id),
      });
      errors = load.errors;
      lag = load.issueLagP99Ms;
    }
    await allSettled(waits, `${name}: answers`, 15_000, describe);
    const cpu = meter();
    const pollGapP99Ms = watch.pollGapP99Ms();
    await quiet(agentDb, name);
    const seconds = (lastSeen - firstSent) / 1000;
    const turnsPerSecond = latencies.length / seconds;
    const r: TurnStep = {
      step: name,
      offeredPerSecond: rate,
      replies: batch.length,
      errors,
      answered: latencies.length,
      seconds,
      turnsPerSecond,
      // open loop: sustained when the answers kept pace with the arrivals (no backlog built up)
      sustained: rate === null || turnsPerSecond >= 0.95 * rate,
      p50Ms: p(latencies, 50),
      p99Ms: p(latencies, 99),
      maxMs: Math.max(...latencies),
      fromAckP50Ms: p(fromAck, 50),
      fromAckP99Ms: p(fromAck, 99),
      ackP50Ms: p(acks, 50),
      ackP99Ms: p(acks, 99),
      cpu,
      cpuMsPerTurn: cpuMsPer(cpu, latencies.length),
      pollGapP99Ms,
      generatorLagP99Ms: lag,
    };
    steps.push(r);
    row(
      S,
      `${name}: reply -> answer persisted p50 / p99`,
      `${fmt.ms(r.p50Ms)} / ${fmt.ms(r.p99Ms)}`,
      `${r.answered}/${r.replies} answered at ${fmt.n(turnsPerSecond, 1)} turns/s${rate === null ? '' : r.sustained ? ' (sustained)' : ' (NOT sustained: a backlog built up)'}, ${errors} errors; max ${fmt.ms(r.maxMs)}; from the 202: p50 ${fmt.ms(r.fromAckP50Ms)}, p99 ${fmt.ms(r.fromAckP99Ms)}; 202 p50 ${fmt.ms(r.ackP50Ms)}, p99 ${fmt.ms(r.ackP99Ms)}; ${fmt.n(r.cpuMsPerTurn, 2)} ms agent CPU per turn; ${cpuNote(cpu)}`,
    );
    return r;
  }

  // 1. capacity: one reply per negotiation, CFG.concurrency in flight
  const closed = await step(`saturation, ${CFG.concurrency} in flight`, take(negotiations.length), null);
  const capacity = closed.turnsPerSecond;
  // 2. open loop below capacity: 80 % of it, then lower until the agent keeps pace
  let sustained: TurnStep | undefined;
  for (const share of [SUSTAINED, 0.5]) {
    const rate = Math.max(10, Math.floor(capacity * share));
    const batch = take(Math.min(negotiations.length, Math.round(rate * 3)));
    const r = await step(`open loop at ${fmt.n(rate)}/s (${Math.round(share * 100)}% of capacity)`, batch, rate);
    sustained = r;
    if (r.sustained) break;
  }
  // 3. open loop at a fixed rate, the same in every run (runs before and after a change compare at the same load)
  const fixed = await step(
    `open loop at ${fmt.n(CFG.steadyRate)}/s (fixed)`,
    take(Math.min(negotiations.length, Math.round(CFG.steadyRate * 3))),
    CFG.steadyRate,
  );
  // 4. open loop at the target load, for one second
  const atTarget = await step(
    `open loop at ${GOAL.turnsPerSecond}/s (target)`,
    take(Math.min(negotiations.length, GOAL.turnsPerSecond)),
    GOAL.turnsPerSecond,
  );
  const wallSeconds = (performance.now() - wallBefore) / 1000;
  const cpuUsed = cpuSeconds(child.pid) - cpuBefore;

  // Every negotiation answered every reply: it is in counter_sent at the round of its number of replies.
  const list = await client.json<{ id: string; state: string; round: number }[]>(
    'GET',
    '/api/v1/negotiations?campaign=bench-live&limit=1000',
  );
  const final: Record<string, number> = {};
  let unexpected = 0;
  for (const n of list.body) {
    final[`${n.state}/round ${n.round}`] = (final[`${n.state}/round ${n.round}`] ?? 0) + 1;
    if (n.state !== 'counter_sent' || n.round !== replies.get(n.id)) unexpected++;
  }
  if (unexpected)
    problems.push(`phase 2b: ${unexpected} negotiations not in counter_sent at their round: ${JSON.stringify(final)}`);
  row(
    S,
    'agent CPU during the steps',
    `${(cpuUsed / wallSeconds).toFixed(2)} cores`,
    `${cpuUsed.toFixed(1)} s CPU in ${wallSeconds.toFixed(1)} s (incl. waits between steps)`,
  );
  row(
    S,
    'turns/s ÷ raw durable commits/s',
    `${((100 * capacity) / raw.full.perSecond).toFixed(1)} %`,
    `one turn costs the time of ${fmt.n(raw.full.perSecond / capacity, 1)} raw 1-row commits or ${fmt.n(raw.shaped.perSecond / capacity, 1)} product-shaped commits`,
  );
  row(
    S,
    'final states',
    unexpected ? 'UNEXPECTED' : 'as expected',
    Object.entries(final)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', '),
  );
  const sus = sustained as TurnStep;
  // The figures of issue 17 side by side: throughput, latency at a steady load, CPU per turn, cores, raw limit.
  row(
    S,
    `summary: saturation turns/s; open loop at ${fmt.n(CFG.steadyRate)}/s p50 / p99; CPU per turn; cores`,
    `${fmt.n(capacity)}/s; ${fmt.ms(fixed.p50Ms)} / ${fmt.ms(fixed.p99Ms)}; ${fmt.n(closed.cpuMsPerTurn, 2)} ms; ${closed.cpu.agent.toFixed(2)} cores`,
    `saturation: ${CFG.concurrency} in flight; at ${fmt.n(CFG.steadyRate)}/s${fixed.sustained ? '' : ' (NOT sustained)'}: CPU ${fmt.n(fixed.cpuMsPerTurn, 2)} ms/turn, ${fixed.cpu.agent.toFixed(2)} cores; at ${fmt.n(sus.offeredPerSecond ?? 0)}/s (${fmt.n((100 * (sus.offeredPerSecond ?? 0)) / capacity)} % of capacity): p50 ${fmt.ms(sus.p50Ms)}, p99 ${fmt.ms(sus.p99Ms)}; raw durable 1-row commits ${fmt.n(raw.full.perSecond)}/s, product-shaped ${fmt.n(raw.shaped.perSecond)}/s`,
  );
  results.turns = {
    negotiations: negotiations.length,
    capacityPerSecond: capacity,
    failures,
    steps,
    agentCpuCoresDuringSteps: cpuUsed / wallSeconds,
    finalStates: final,
  };
  targets.push(
    {
      id: 'turns.rate',
      what: 'Full turns (reply -> classified -> decided -> composed -> gated -> sent -> persisted)/s',
      kind: 'min',
      goal: GOAL.turnsPerSecond,
      unit: '/s',
      measured: Math.max(capacity, atTarget.turnsPerSecond),
      raw: { label: '1-row durable commits', value: raw.full.perSecond, unit: '/s' },
      note: `best of: ${CFG.concurrency} in flight ${fmt.n(capacity)}/s (${closed.replies} replies), open loop at ${GOAL.turnsPerSecond}/s ${fmt.n(atTarget.turnsPerSecond)}/s; ${cpuNote(closed.cpu)}`,
    },
    {
      id: 'turns.cpu',
      what: `Agent CPU per full turn at saturation (${CFG.concurrency} in flight), and cores used`,
      kind: 'info',
      goal: 0,
      unit: 'ms',
      measured: closed.cpuMsPerTurn,
      note: `${closed.cpu.agent.toFixed(2)} cores of the agent at ${fmt.n(capacity)} turns/s; open loop at ${fmt.n(sus.offeredPerSecond ?? 0)}/s: ${fmt.n(sus.cpuMsPerTurn, 2)} ms/turn, ${sus.cpu.agent.toFixed(2)} cores`,
    },
    {
      id: 'turns.p99.sustained',
      what: `Turn p99, reply POST -> answer persisted, open loop at ${fmt.n(sus.offeredPerSecond ?? 0)}/s${sus.sustained ? ' (sustained)' : ' (not sustained)'}`,
      kind: 'max',
      goal: GOAL.turnP99Ms,
      unit: 'ms',
      measured: sus.p99Ms,
      raw: { label: 'product-shaped commit p99', value: raw.shaped.p99Us / 1000, unit: 'ms' },
      note: `p50 ${fmt.ms(sus.p50Ms)}; answered at ${fmt.n(sus.turnsPerSecond)}/s; ${cpuNote(sus.cpu)}`,
    },
    {
      id: 'turns.p99.target',
      what: `Turn p99, reply POST -> answer persisted, open loop at the target ${GOAL.turnsPerSecond}/s`,
      kind: 'max',
      goal: GOAL.turnP99Ms,
      unit: 'ms',
      measured: atTarget.p99Ms,
      raw: { label: 'product-shaped commit p99', value: raw.shaped.p99Us / 1000, unit: 'ms' },
      note: `p50 ${fmt.ms(atTarget.p50Ms)}; answered at ${fmt.n(atTarget.turnsPerSecond)}/s; ${cpuNote(atTarget.cpu)}`,
    },
  );
}

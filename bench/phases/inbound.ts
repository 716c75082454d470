/**
 * Phase 2a: inbound replies to negotiations a person has claimed (recorded and relayed, never answered).
 */
import type Database from 'better-sqlite3';
import { type Client, openLoop, type Reply, runLoad } from '../lib/http.ts';
import type { Child } from '../lib/processes.ts';
import { fmt } from '../lib/report.ts';
import { COUNTER_ASKS } from '../lib/scenarios.ts';
import type { TimelineWatch } from '../lib/watch.ts';
import { CFG, GOAL, log, p, problems, results, row, SUSTAINED, targets } from '../lib/common.ts';
import { cpuMeter, cpuNote } from '../lib/cpu.ts';
import { openReadOnly, quiet } from '../lib/agent.ts';
import { allSettled, type expectations, type Negotiation } from '../lib/expectations.ts';
import type { Raw } from './raw-limits.ts';

export async function inbound(
  raw: Raw,
  child: Child,
  client: Client,
  targetsOf: Negotiation[],
  watch: TimelineWatch,
  expect: ReturnType<typeof expectations>,
  agentDb: Database.Database,
  sandboxFile: string,
) {
  const S = '2a inbound (claimed)';
  log(`phase 2a: inbound replies to ${targetsOf.length} negotiations under human control`);
  // A person claims every negotiation: replies are recorded and relayed to Slack, never answered.
  const claim = await runLoad({
    client,
    concurrency: CFG.concurrency,
    count: targetsOf.length,
    make: (i) => ({ method: 'POST', path: `/api/v1/negotiations/${targetsOf[i].id}/claim`, body: { by: 'bench' } }),
  });
  if (claim.errors) throw new Error(`claim: ${claim.errors} errors ${JSON.stringify(claim.statuses)}`);
  await quiet(agentDb, 'claims');

  const sandboxDb = openReadOnly(sandboxFile);
  const relayed = sandboxDb.prepare("SELECT COUNT(*) FROM slack WHERE kind = 'notice'").pluck();
  const relayedBefore = relayed.get() as number;
  let sent = 0;
  let seq = 0;
  const body = (i: number, tag: string) => {
    const n = targetsOf[i % targetsOf.length];
    sent++;
    return {
      from: n.email,
      threadId: n.threadId,
      text: COUNTER_ASKS[i % COUNTER_ASKS.length],
      messageId: `<in-${tag}-${i}-${seq++}@creators.example>`,
    };
  };
  const describe = () => `${expect.outstanding()} outstanding`;

  // a) capacity: CFG.inboundConcurrency clients, each waits until its reply is committed before the next.
  const closed = await (async () => {
    const latencies: number[] = [];
    const acks: number[] = [];
    let errors = 0;
    let next = 0;
    let lastSeen = 0;
    const start = performance.now();
    const deadline = start + CFG.inboundSeconds * 1000;
    const cpu = cpuMeter(child.pid);
    watch.resetGaps();
    await Promise.all(
      Array.from({ length: CFG.inboundConcurrency }, async () => {
        while (performance.now() < deadline) {
          const mail = body(next++, 'c');
          const seen = expect.reply(mail.messageId);
          const reply = await client.request('POST', '/sandbox/mail', mail).catch(() => null);
          if (reply?.status !== 202) {
            errors++;
            expect.cancelReply(mail.messageId);
            continue;
          }
          acks.push(reply.endedAt - reply.startedAt);
          const row = await seen;
          if (!row) continue;
          latencies.push(row.seenAt - reply.startedAt);
          lastSeen = Math.max(lastSeen, row.seenAt);
        }
      }),
    );
    const seconds = (lastSeen - start) / 1000;
    return {
      events: latencies.length,
      errors,
      seconds,
      perSecond: latencies.length / seconds,
      ackP50Ms: p(acks, 50),
      ackP99Ms: p(acks, 99),
      p50Ms: p(latencies, 50),
      p99Ms: p(latencies, 99),
      cpu: cpu(),
      pollGapP99Ms: watch.pollGapP99Ms(),
    };
  })();
  const drainClosed = await quiet(agentDb, 'inbound capacity');
  row(
    S,
    `capacity: reply POST -> REPLY committed, ${CFG.inboundConcurrency} in flight`,
    `${fmt.n(closed.perSecond)}/s`,
    `${closed.events} replies in ${closed.seconds.toFixed(2)} s, ${closed.errors} errors; POST -> committed p50 ${fmt.ms(closed.p50Ms)}, p99 ${fmt.ms(closed.p99Ms)}; 202 p50 ${fmt.ms(closed.ackP50Ms)}, p99 ${fmt.ms(closed.ackP99Ms)}; ${cpuNote(closed.cpu)}; relays drained ${drainClosed.toFixed(1)} s later`,
  );

  // b) open loop at a load below that capacity, then at the target load (75 % of the raw durable-commit rate).
  const open = async (label: string, rate: number, forSeconds: number) => {
    const count = Math.max(50, Math.round(rate * forSeconds));
    const latencies: number[] = [];
    const acks: number[] = [];
    const waits: Promise<unknown>[] = [];
    let firstDue = Number.POSITIVE_INFINITY;
    let lastSeen = 0;
    const meter = cpuMeter(child.pid);
    watch.resetGaps();
    const mails: ReturnType<typeof body>[] = [];
    const load = await openLoop({
      client,
      rate,
      count,
      make: (i) => {
        mails[i] = body(i, label);
        return { method: 'POST', path: '/sandbox/mail', body: mails[i] };
      },
      onSend: (i, dueAt) => {
        firstDue = Math.min(firstDue, dueAt);
        waits.push(
          expect.reply(mails[i].messageId).then((row) => {
            if (!row) return;
            latencies.push(row.seenAt - dueAt);
            lastSeen = Math.max(lastSeen, row.seenAt);
          }),
        );
      },
      onReply: (i, reply: Reply, dueAt) => {
        if (reply.status === 202) acks.push(reply.endedAt - dueAt);
        else expect.cancelReply(mails[i].messageId);
      },
      onError: (i) => expect.cancelReply(mails[i].messageId),
    });
    await allSettled(waits, `inbound ${label}`, 30_000, describe);
    const pollGap = watch.pollGapP99Ms();
    const seconds = (lastSeen - firstDue) / 1000;
    const cpu = meter();
    const drained = await quiet(agentDb, `inbound ${label}`);
    const r = {
      offeredPerSecond: rate,
      events: latencies.length,
      errors: load.errors,
      sendSeconds: load.sendSeconds,
      achievedPerSecond: latencies.length / seconds,
      p50Ms: p(latencies, 50),
      p99Ms: p(latencies, 99),
      maxMs: Math.max(...latencies),
      ackP50Ms: p(acks, 50),
      ackP99Ms: p(acks, 99),
      generatorLagP99Ms: load.issueLagP99Ms,
      pollGapP99Ms: pollGap,
      cpu,
      relaysDrainedSeconds: drained,
      // sustained when the commits kept pace with the arrivals (no backlog built up)
      sustained: latencies.length / seconds >= 0.95 * rate,
    };
    row(
      S,
      `open loop at ${fmt.n(rate)}/s offered (${label}): POST -> REPLY committed p50 / p99`,
      `${fmt.ms(r.p50Ms)} / ${fmt.ms(r.p99Ms)}`,
      `${r.events} replies over ${r.sendSeconds.toFixed(1)} s, ${r.errors} errors; committed at ${fmt.n(r.achievedPerSecond)}/s${r.sustained ? ' (sustained)' : ' (NOT sustained: a backlog built up)'}; max ${fmt.ms(r.maxMs)}; 202 p50 ${fmt.ms(r.ackP50Ms)}, p99 ${fmt.ms(r.ackP99Ms)}; ${cpuNote(cpu)}; generator lag p99 ${fmt.ms(r.generatorLagP99Ms)}, poll gap p99 ${fmt.ms(pollGap)}`,
    );
    return r;
  };
  let sustained: Awaited<ReturnType<typeof open>> | undefined;
  for (const share of [SUSTAINED, 0.5]) {
    const rate = Math.max(10, Math.floor(closed.perSecond * share));
    sustained = await open(`${Math.round(share * 100)}% of capacity`, rate, 2);
    if (sustained.sustained) break;
  }
  if (!sustained) throw new Error('unreachable');
  const targetRate = GOAL.inboundShareOfRaw * raw.full.perSecond;
  // Bounded: at most ~15 s of work for this agent at the capacity measured above.
  const atTarget = await open('target', targetRate, Math.min(1, (15 * closed.perSecond) / targetRate));
  const relayedNow = (relayed.get() as number) - relayedBefore;
  sandboxDb.close();
  if (relayedNow !== sent) problems.push(`inbound: ${sent} replies sent, ${relayedNow} relayed to the Slack stand-in`);
  row(
    S,
    'replies relayed to the Slack stand-in',
    `${relayedNow} of ${sent}`,
    'each reply: recorded, relayed, not answered',
  );
  results.inbound = { negotiations: targetsOf.length, closed, sustained, atTarget, relayed: relayedNow, sent };

  targets.push(
    {
      id: 'inbound.rate',
      what: 'Inbound: POST /sandbox/mail -> REPLY committed, events/s (capacity)',
      kind: 'min',
      goal: targetRate,
      goalText: `>= 75 % of raw (${fmt.n(targetRate)}/s)`,
      unit: '/s',
      measured: Math.max(closed.perSecond, atTarget.achievedPerSecond),
      raw: { label: '1-row durable commits', value: raw.full.perSecond, unit: '/s' },
      note: `best of: ${CFG.inboundConcurrency} in flight ${fmt.n(closed.perSecond)}/s, flood at the target load ${fmt.n(atTarget.achievedPerSecond)}/s; claimed negotiations (recorded + relayed, not answered); ${cpuNote(closed.cpu)}`,
    },
    {
      id: 'inbound.p99.target',
      what: `Inbound p99, POST -> committed, at the target load (${fmt.n(targetRate)}/s offered)`,
      kind: 'max',
      goal: GOAL.inboundP99Ms,
      unit: 'ms',
      measured: atTarget.p99Ms,
      raw: { label: '1-row commit p99', value: raw.full.p99Us / 1000, unit: 'ms' },
      note: `p50 ${fmt.ms(atTarget.p50Ms)}; committed at ${fmt.n(atTarget.achievedPerSecond)}/s of ${fmt.n(targetRate)}/s offered; ${cpuNote(atTarget.cpu)}`,
    },
    {
      id: 'inbound.p99.sustained',
      what: `Inbound p99, POST -> committed, open loop at ${fmt.n(sustained.offeredPerSecond)}/s${sustained.sustained ? ' (sustained)' : ' (not sustained)'}`,
      kind: 'max',
      goal: GOAL.inboundP99Ms,
      unit: 'ms',
      measured: sustained.p99Ms,
      raw: { label: '1-row commit p99', value: raw.full.p99Us / 1000, unit: 'ms' },
      note: `p50 ${fmt.ms(sustained.p50Ms)}; 202 p99 ${fmt.ms(sustained.ackP99Ms)}; ${cpuNote(sustained.cpu)}`,
    },
  );
}

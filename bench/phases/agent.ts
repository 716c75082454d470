/**
 * Phase 2: one agent on an empty database: boot, RSS, /health, two campaigns started, then the inbound (2a)
 * and full-turn (2b) measurements.
 */
import { join } from 'node:path';
import { cpuMeter, cpuMsPer, cpuNote } from '../lib/cpu.ts';
import { runLoad } from '../lib/http.ts';
import { tempDir } from '../lib/processes.ts';
import { fmt } from '../lib/report.ts';
import { campaignBody, influencers } from '../lib/scenarios.ts';
import { watchTimeline } from '../lib/watch.ts';
import { CFG, log, p, results, row } from '../lib/common.ts';
import { bootRss, openReadOnly, startAgent, stopAgent, summary, until } from '../lib/agent.ts';
import { expectations, type Negotiation } from '../lib/expectations.ts';
import type { Raw } from './raw-limits.ts';
import { inbound } from './inbound.ts';
import { turns } from './turns.ts';

export async function agentPhases(raw: Raw, dir: string) {
  log('phase 2: agent with an empty database');
  const emptyBoots: number[] = [];
  for (let i = 1; i < (CFG.only ? 1 : CFG.boots); i++) {
    const empty = await startAgent(tempDir('bench-empty-'), 'agent-empty');
    emptyBoots.push(empty.bootMs);
    await stopAgent(empty.child, empty.client, 'empty boot');
  }
  const { child, client, bootMs } = await startAgent(dir, 'agent-inbound');
  emptyBoots.push(bootMs);
  const emptyRss = await bootRss(child);
  results.emptyAgent = { bootMs: emptyBoots, rss: emptyRss };
  const S0 = '2 agent, empty DB';
  row(
    S0,
    `boot: spawn -> GET /ready 200 (median of ${CFG.boots})`,
    fmt.ms(p(emptyBoots, 50)),
    `runs ${emptyBoots.map((b) => b.toFixed(0)).join(', ')} ms`,
  );
  row(
    S0,
    'RSS after boot (ready / after 1 s idle)',
    `${fmt.mb(emptyRss.ready)} / ${fmt.mb(emptyRss.idle)}`,
    `after forced GC: RSS ${fmt.mb(emptyRss.gc.rss)}, V8 heap used ${fmt.mb(emptyRss.gc.heapUsed)}: the floor of the boot RSS target`,
  );

  const health = await runLoad({
    client,
    concurrency: CFG.concurrency,
    durationMs: 2000,
    make: () => ({ method: 'GET', path: '/health' }),
  });
  results.agentHealth = summary(health);
  row(
    S0,
    'agent GET /health req/s (full middleware, no DB)',
    fmt.n(health.perSecond),
    `${CFG.concurrency} conns; p50 ${fmt.ms(p(health.latenciesMs, 50))}, p99 ${fmt.ms(p(health.latenciesMs, 99))}`,
  );

  // Two campaigns: one whose negotiations a person claims (inbound only), one the agent negotiates (turns).
  const sandboxDb = join(dir, 'data', 'sandbox.db');
  const mailDb = openReadOnly(sandboxDb);
  const outCount = mailDb.prepare("SELECT COUNT(*) FROM mail WHERE direction = 'out'").pluck();
  const t0 = performance.now();
  const startMeter = cpuMeter(child.pid);
  const inboundCount = CFG.only ? 0 : CFG.inboundNegotiations;
  const campaigns = [
    ['bench-inbound', inboundCount, 'Inbound'],
    ['bench-live', CFG.influencers, 'Live'],
  ] as const;
  for (const [id, count, prefix] of campaigns.filter(([, count]) => count > 0)) {
    const created = await client.json(
      'POST',
      '/api/v1/campaigns',
      campaignBody(id, influencers(count, prefix, 'creators.example')),
    );
    if (created.status !== 201 && created.status !== 202)
      // 202: a big campaign, created right after

      throw new Error(`campaign ${id} not created: ${created.status} ${JSON.stringify(created.body).slice(0, 300)}`);
  }
  const total = inboundCount + CFG.influencers;
  await until('opening offers', () => (outCount.get() as number) >= total, 120_000);
  const outreachSeconds = (performance.now() - t0) / 1000;
  const startCpu = startMeter();
  results.campaignStart = {
    negotiations: total,
    seconds: outreachSeconds,
    cpu: startCpu,
    cpuMsEach: cpuMsPer(startCpu, total),
  };
  row(
    S0,
    `campaign start: ${total} negotiations created + opening emails sent`,
    `${fmt.n(total / outreachSeconds, 1)}/s`,
    `${outreachSeconds.toFixed(2)} s from the first POST /api/v1/campaigns to the last opening email; ${fmt.n(cpuMsPer(startCpu, total), 2)} ms agent CPU each; ${cpuNote(startCpu)}`,
  );
  mailDb.close();

  const listOf = async (campaign: string): Promise<Negotiation[]> => {
    const list = await client.json<{ id: string; threadId: string; influencer: { email: string } }[]>(
      'GET',
      `/api/v1/negotiations?campaign=${campaign}&limit=1000`,
    );
    return list.body.map((n) => ({ id: n.id, threadId: n.threadId, email: n.influencer.email }));
  };
  const inboundNegotiations = inboundCount ? await listOf('bench-inbound') : [];
  const liveNegotiations = await listOf('bench-live'); // the first 1,000 (one page): the turns use at most those
  const listed = (count: number) => Math.min(count, 1000);
  if (inboundNegotiations.length !== listed(inboundCount) || liveNegotiations.length !== listed(CFG.influencers))
    throw new Error(`expected ${inboundCount} + ${CFG.influencers} negotiations`);

  const agentDbFile = join(dir, 'data', 'agent.db');
  const watch = watchTimeline(agentDbFile, ['email_received', 'email_sent']);
  const expect = expectations(watch);
  const agentDb = openReadOnly(agentDbFile);
  try {
    if (inboundCount)
      await inbound(raw, child, client, inboundNegotiations, watch, expect, agentDb, join(dir, 'data', 'sandbox.db'));
    await turns(raw, child, client, liveNegotiations, watch, expect, agentDb);
  } finally {
    watch.close();
    agentDb.close();
  }
  return { child, client };
}

/**
 * Phase 5: dashboard / read API latency at full size, beside the same queries run in-process.
 */
import { join } from 'node:path';
import { createQueries } from '../../persistence/queries.ts';
import { type Client, runLoad } from '../lib/http.ts';
import { fmt } from '../lib/report.ts';
import { CFG, GOAL, log, p, results, row, targets } from '../lib/common.ts';
import { openReadOnly, summary } from '../lib/agent.ts';

export async function readApi(client: Client, dir: string) {
  log('phase 5: read API latency');
  const S = `5 read API @${fmt.n(CFG.negotiations / 1000)}k`;
  const agentDb = openReadOnly(join(dir, 'data', 'agent.db'));
  const ids = agentDb.prepare('SELECT id FROM negotiations ORDER BY random() LIMIT 200').pluck().all() as string[];
  // The same queries the routes run (persistence/queries.ts), in this process on a read-only connection: the
  // SQLite floor under each route (no HTTP, no JSON).
  const queries = createQueries(agentDb);
  const stateCases = ['counter_sent', 'awaiting_reply', 'escalated', 'agreed', 'paused'] as const;
  const campaign = (i: number) => `bench-c${String((i % CFG.cloneCampaigns) + 1).padStart(2, '0')}`;
  const cases: {
    id?: string;
    name: string;
    count: number;
    path: (i: number) => string;
    query?: (i: number) => unknown;
  }[] = [
    {
      id: 'campaigns',
      name: 'GET /api/v1/campaigns',
      count: 100,
      path: () => '/api/v1/campaigns',
      query: () => queries.campaigns(),
    },
    {
      id: 'list',
      name: 'GET /api/v1/negotiations (first page: 500)',
      count: 100,
      path: () => '/api/v1/negotiations',
      query: () => queries.negotiations({}),
    },
    {
      id: 'byCampaign',
      name: 'GET /api/v1/negotiations?campaign=<id>',
      count: 100,
      path: (i) => `/api/v1/negotiations?campaign=${campaign(i)}`,
      query: (i) => queries.negotiations({ campaignId: campaign(i) }),
    },
    {
      id: 'byState',
      name: 'GET /api/v1/negotiations?state=<state>',
      count: 100,
      path: (i) => `/api/v1/negotiations?state=${stateCases[i % stateCases.length]}`,
      query: (i) => queries.negotiations({ state: stateCases[i % stateCases.length] }),
    },
    {
      id: 'byCampaignState',
      name: 'GET /api/v1/negotiations?campaign=<id>&state=<state>',
      count: 100,
      path: (i) => `/api/v1/negotiations?campaign=${campaign(i)}&state=${stateCases[i % stateCases.length]}`,
      query: (i) => queries.negotiations({ campaignId: campaign(i), state: stateCases[i % stateCases.length] }),
    },
    {
      name: 'GET /api/v1/negotiations/:id (with timeline)',
      count: 200,
      path: (i) => `/api/v1/negotiations/${ids[i % ids.length]}`,
    },
    {
      name: 'GET /api/v1/campaigns/:id (all its negotiations)',
      count: 20,
      path: (i) => `/api/v1/campaigns/${campaign(i)}`,
    },
    { name: 'GET /metrics', count: 50, path: () => '/metrics' },
    { name: 'GET /health (HTTP floor)', count: 200, path: () => '/health' },
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
    let rawP95 = Number.NaN;
    if (c.query) {
      const samples: number[] = [];
      for (let i = 0; i < c.count; i++) {
        const t0 = performance.now();
        c.query(i);
        samples.push(performance.now() - t0);
      }
      rawP95 = p(samples, 95);
    }
    const p95 = p(load.latenciesMs, 95);
    api[c.name] = { ...summary(load), maxBodyBytes: bytes, queryInProcessP95Ms: rawP95 };
    row(
      S,
      `${c.name} p50 / p95`,
      `${fmt.ms(p(load.latenciesMs, 50))} / ${fmt.ms(p95)}`,
      `${c.count} sequential requests, p99 ${fmt.ms(p(load.latenciesMs, 99))}, body ≤ ${fmt.kb(bytes)}, errors ${load.errors}${c.query ? `; the same query in-process p95 ${fmt.ms(rawP95)}` : ''}`,
    );
    if (c.id)
      targets.push({
        id: `api.${c.id}`,
        what: `${c.name} p95 at ${fmt.n(CFG.negotiations / 1000)}k negotiations`,
        kind: 'max',
        goal: GOAL.apiP95Ms,
        unit: 'ms',
        measured: p95,
        raw: { label: 'same query in-process p95', value: rawP95, unit: 'ms' },
        note: `p50 ${fmt.ms(p(load.latenciesMs, 50))}, body ≤ ${fmt.kb(bytes)}`,
      });
  }
  agentDb.close();
  results.readApi = api;
}

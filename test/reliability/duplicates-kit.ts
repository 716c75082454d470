/**
 * Shared setup of the duplicate-delivery suites (duplicates*.reliability.ts): agents, campaigns, repeated and
 * shuffled deliveries.
 */
import { expect } from 'chai';
import {
  type Client,
  dbRows,
  dbDigest,
  httpClient,
  quiesce,
  type Rng,
  sleep,
  startAgentIn,
  suiteSeed,
  until,
} from './reliability-kit.ts';

export const SEED = suiteSeed(0xd0_d0_d0);
export const JSON_TYPE = { 'content-type': 'application/json' };

export interface Agent {
  client: Client;
  agentDb: string;
  sandboxDb: string;
  dataDir: string;
  url: string;
  t: Awaited<ReturnType<typeof startAgentIn>>['t'];
}

export const agents: Agent[] = [];
export async function agent(env: Record<string, string>, dataDir?: string): Promise<Agent> {
  const a = await startAgentIn(env, dataDir);
  const started = { ...a, url: a.t.url, client: httpClient(a.t.url, 32, false) };
  agents.push(started);
  return started;
}

export interface Neg {
  id: string;
  state: string;
  humanControlled: boolean;
  lastOfferedRate: string | null;
  agreedRate: string | null;
  timeline: { type: string; [k: string]: unknown }[];
}

export async function negotiation(a: Agent, id: string): Promise<Neg> {
  const res = await a.client.json('GET', `/api/v1/negotiations/${id}`);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body;
}

export const count = (n: Neg, type: string) => n.timeline.filter((e) => e.type === type).length;

/** Waits until every negotiation is in its expected state and nothing moves any more. */
export async function settle(a: Agent, expected: Record<string, string>, outside: () => unknown = () => null) {
  for (const [id, state] of Object.entries(expected)) {
    await until(`${id} ${state}`, async () => (await negotiation(a, id)).state === state);
  }
  await quiesce(a.agentDb, () => ({ agent: dbDigest(a.agentDb), sandbox: dbDigest(a.sandboxDb), outside: outside() }));
}

/** Each item `times(rng)` times (1-5), shuffled. */
export function repeated<T>(rng: Rng, items: T[], min = 1): { item: T; copy: number }[] {
  const out: { item: T; copy: number }[] = [];
  for (const item of items) {
    const n = min + rng.int(6 - min);
    for (let copy = 0; copy < n; copy++) out.push({ item, copy });
  }
  return rng.shuffle(out);
}

/** Sends them all, partly at once: waves of random size, each wave concurrent, with a little jitter. */
export async function deliverAll<T, R>(rng: Rng, items: T[], send: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let i = 0;
  while (i < items.length) {
    const wave = items.slice(i, i + 1 + rng.int(6));
    i += wave.length;
    results.push(
      ...(await Promise.all(
        wave.map(async (item) => {
          await sleep(rng.int(15));
          return send(item);
        }),
      )),
    );
  }
  return results;
}

export const influencers = (names: string[]) =>
  names.map((name) => ({
    name,
    email: `${name.toLowerCase().replace(/\s+/g, '.')}@gmail.com`,
    platform: 'instagram',
    averageViews: 80000,
  }));

export const campaign = (id: string, names: string[]) => ({
  id,
  client: 'Glow Skincare',
  platform: 'instagram',
  deliverables: '1 Instagram Reel, 2 Instagram Stories',
  budget: '50000',
  cpmTarget: '25',
  cpmLeniency: '20',
  maxCostWithoutApproval: '2300',
  influencers: influencers(names),
});

export async function createCampaign(a: Agent, body: ReturnType<typeof campaign>) {
  const res = await a.client.json('POST', '/api/v1/campaigns', body);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return Object.fromEntries(
    (res.body.negotiations as { id: string; influencer: { email: string } }[]).map((n) => [n.influencer.email, n.id]),
  ) as Record<string, string>;
}

export const timelineCounts = (db: string) =>
  Object.fromEntries(
    dbRows(db, 'SELECT type, count(*) AS n FROM timeline GROUP BY type ORDER BY type').map((r) => [r.type, r.n]),
  );

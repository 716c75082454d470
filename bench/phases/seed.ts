/**
 * Phase 4 preparation: template negotiations driven through the product, then cloned (bench/lib/clone.ts) to grow
 * the database to the size phase 4 boots with.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { cloneNegotiations } from '../lib/clone.ts';
import type { Client } from '../lib/http.ts';
import { campaignBody, influencers, type Step, TEMPLATES } from '../lib/scenarios.ts';
import { CFG, FOLLOW_UP_MS, log, problems } from '../lib/common.ts';
import { openReadOnly, until } from '../lib/agent.ts';

export async function seedTemplates(client: Client, dir: string) {
  const copies = CFG.templateCopies;
  const campaignId = 'bench-seed';
  log(
    `phase 4 (prep, on the phase 2 agent): driving ${TEMPLATES.length * copies} template negotiations through the product`,
  );
  const created = await client.json<{ negotiations: { id: string; influencer: { email: string } }[] }>(
    'POST',
    '/api/v1/campaigns',
    campaignBody(campaignId, influencers(TEMPLATES.length * copies, 'Seed', 'seed.example')),
  );
  if (created.status !== 201 && created.status !== 202)
    // 202: a big campaign, created right after
    throw new Error(`seed campaign not created: ${created.status}`);
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

export async function runStep(
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

export function cloneCounts(total: number): Record<string, number> {
  const weights = TEMPLATES.map((t) => ({ category: t.category, exact: (total * t.weight) / 100 }));
  const counts = Object.fromEntries(weights.map((w) => [w.category, Math.floor(w.exact)]));
  let left = total - Object.values(counts).reduce((a, b) => a + b, 0);
  for (const w of weights.sort((a, b) => (b.exact % 1) - (a.exact % 1))) {
    if (left-- <= 0) break;
    counts[w.category]++;
  }
  return counts;
}

export function negotiationCount(dir: string): number {
  const db = openReadOnly(join(dir, 'data', 'agent.db'));
  const n = db.prepare('SELECT COUNT(*) FROM negotiations').pluck().get() as number;
  db.close();
  return n;
}

/** Grows the (stopped) agent's database to `total` negotiations by cloning the templates. */
export function growTo(dir: string, total: number, seeded: Seeded) {
  const existing = negotiationCount(dir);
  const toClone = Math.max(0, total - existing);
  log(`phase 4: cloning ${toClone} negotiations (database already holds ${existing})`);
  const cloned = cloneNegotiations({
    dataDir: join(dir, 'data'),
    templates: seeded.templates,
    counts: cloneCounts(toClone),
    seedCampaignId: seeded.campaignId,
    campaigns: CFG.cloneCampaigns,
    followUpAfterMs: FOLLOW_UP_MS,
    firstIndex: existing,
  });
  // The clone wrote with synchronous=OFF: flush it now so the boots below do not share the disk with writeback.
  const t0 = performance.now();
  for (const f of ['agent.db', 'sandbox.db']) {
    const fd = openSync(join(dir, 'data', f), 'r+');
    fsyncSync(fd);
    closeSync(fd);
  }
  return { ...cloned, fsyncSeconds: (performance.now() - t0) / 1000 };
}

export type Seeded = Awaited<ReturnType<typeof seedTemplates>>;

/**
 * `npm run demo`: a scripted campaign against a sandbox agent, with simulated influencers who each answer in
 * their own way, then a results table. Everything goes through the public HTTP API, as a team would use it.
 * The agent runs in-process on a free loopback port with a temporary data directory (deleted afterwards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { startAgent } from '../server/main.ts';

interface Persona {
  name: string;
  email: string;
  averageViews: number;
  /** Replies to the agent's latest email (by how many emails it has sent this influencer), or null: silence. */
  replies: (string | null)[];
}

const PERSONAS: Persona[] = [
  { name: 'Maya Lopez', email: 'maya@gmail.com', averageViews: 80_000, replies: ["Sounds great, let's do it!"] },
  {
    name: 'Leo Park',
    email: 'leo@gmail.com',
    averageViews: 60_000,
    replies: ["I'd do it for $1,800.", 'Meet me at $1,700?'],
  },
  {
    name: 'Ana Ruiz',
    email: 'ana@gmail.com',
    averageViews: 120_000,
    replies: ['When would the content need to go live?', 'Perfect, count me in.'],
  },
  { name: 'Sam Lee', email: 'sam@gmail.com', averageViews: 50_000, replies: ['My rate for this is $4,000.'] },
  {
    name: 'Kim Ito',
    email: 'kim@gmail.com',
    averageViews: 90_000,
    replies: ["Thanks so much, but I'm going to pass on this one."],
  },
  { name: 'Noor Haddad', email: 'noor@gmail.com', averageViews: 70_000, replies: [null] },
];

const dir = mkdtempSync(join(tmpdir(), 'agent-demo-'));
const config = loadConfig(
  { DATA_DIR: dir, SHEETS_DIR: join(dir, 'sheets'), PORT: '0', LOG_LEVEL: 'error', SHEET_POLL_SECONDS: '0' },
  dir,
);
const agent = await startAgent(config, { logger: createLogger('error', true) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// biome-ignore lint/suspicious/noExplicitAny: the demo reads the API's JSON as the contract documents it
async function api(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${agent.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

try {
  const campaign = await api('POST', '/api/v1/campaigns', {
    id: 'demo-glow',
    client: 'Glow Skincare',
    platform: 'instagram',
    deliverables: '1 Instagram Reel, 2 Instagram Stories',
    cpmTarget: '25',
    cpmLeniency: '20',
    maxCostWithoutApproval: '3000',
    influencers: PERSONAS.map((p) => ({
      name: p.name,
      email: p.email,
      platform: 'instagram',
      averageViews: p.averageViews,
    })),
  });
  const idOf = new Map<string, string>(
    campaign.negotiations.map((n: { id: string; influencer: { email: string } }) => [n.influencer.email, n.id]),
  );

  // Each round: every persona answers the agent's newest email to them, if its script has an answer for it.
  for (let round = 0; round < 4; round++) {
    await sleep(300);
    for (const p of PERSONAS) {
      const sent = (await api('GET', `/sandbox/mail?to=${encodeURIComponent(p.email)}`)) as { threadId: string }[];
      const text = p.replies[sent.length - 1];
      if (sent.length === 0 || !text || p.replies.length < sent.length) continue;
      const n = await api('GET', `/api/v1/negotiations/${idOf.get(p.email)}`);
      if (n.timeline.filter((e: { type: string }) => e.type === 'email_received').length >= sent.length) continue;
      await api('POST', '/sandbox/mail', { from: `${p.name} <${p.email}>`, threadId: sent[0].threadId, text });
    }
  }
  // Silence: three days later the agent follows up; three more and the thread is stale.
  await api('POST', '/sandbox/clock', { advanceHours: 73 });
  await sleep(300);
  await api('POST', '/sandbox/clock', { advanceHours: 73 });
  await sleep(500);

  const rows = [];
  for (const p of PERSONAS) {
    const n = await api('GET', `/api/v1/negotiations/${idOf.get(p.email)}`);
    rows.push({
      influencer: p.name,
      outcome: n.state,
      rounds: n.round,
      offered: n.lastOfferedRate ?? '-',
      asked: n.theirLastAsk ?? '-',
      agreed: n.agreedRate ?? '-',
      cpm: n.agreedCpm ?? '-',
      escalation: n.escalation?.reason ?? '',
    });
  }
  console.log('\nDemo campaign "Glow Skincare" (sandbox; $25 CPM target, 20% leniency, $3,000 max without approval)\n');
  console.table(rows);
  const stats = (await api('GET', '/api/v1/campaigns'))[0];
  console.log(`\nCampaign: ${JSON.stringify(stats)}\n`);
} finally {
  await agent.close();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * `npm run demo`: a scripted campaign against a sandbox agent, with simulated influencers who each answer in
 * their own way, then a results table. Everything goes through the public HTTP API, as a team would use it.
 *
 * The agent runs in-process on its own data directory (DATA_DIR, default ./demo-data, never the agent's ./data),
 * which the demo replaces on each run and leaves behind: afterwards the dashboard keeps serving the campaign at the
 * printed URL until Ctrl-C, and `DATA_DIR=demo-data npm start` shows it again later.
 *   --exit   print the table and the URL, then stop (scripts, CI)
 *   --clean  remove the demo's data directory and stop
 */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/observability/logger.ts';
import { type Agent, startAgent } from '../server/main.ts';

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

const CAMPAIGN = 'demo-glow';
const OUTCOME: Record<string, string> = {
  agreed: 'agreed',
  rejected: 'declined',
  escalated: 'needs your decision',
  stale: 'no answer',
  counter_sent: 'counter sent',
  awaiting_reply: 'waiting for a reply',
};
const args = new Set(process.argv.slice(2));
const dir = resolve(process.env.DATA_DIR ?? 'demo-data');

if (args.has('--clean')) {
  if (existsSync(dir)) {
    rmSync(dir, { recursive: true, force: true });
    console.log(`Removed the demo campaign and its data directory ${dir}.`);
  } else console.log(`No demo data in ${dir}: nothing to remove.`);
  process.exit(0);
}

if (existsSync(dir)) {
  console.log(`Replacing the previous demo in ${dir}.`);
  rmSync(dir, { recursive: true, force: true });
}
const env = (port: string) => ({
  DATA_DIR: dir,
  SHEETS_DIR: `${dir}/sheets`,
  PORT: port,
  LOG_LEVEL: 'error',
  SHEET_POLL_SECONDS: '0',
});
const logger = createLogger('error', true);
let agent: Agent;
try {
  agent = await startAgent(loadConfig(env(process.env.PORT ?? '3000'), dir), { logger });
} catch (error) {
  if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
  agent = await startAgent(loadConfig(env('0'), dir), { logger }); // port 3000 is taken (an agent runs): any port
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// biome-ignore lint/suspicious/noExplicitAny: the demo reads the API's JSON as the contract documents it
async function api(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${agent.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: { message?: string } };
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json.error?.message ?? res.statusText}`);
  return json;
}

/** Rows as an aligned text table (no quotes, no JSON), numbers on the right. */
function table(rows: Record<string, string>[]): string {
  const heads = Object.keys(rows[0] ?? {});
  const width = heads.map((h) => Math.max(h.length, ...rows.map((r) => r[h].length)));
  const right = (v: string) => /^(\$[\d,.]+|-)$/.test(v);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right(c) ? c.padStart(width[i]) : c.padEnd(width[i])))
      .join(' │ ')
      .trimEnd();
  return [
    line(heads),
    width.map((w) => '─'.repeat(w)).join('─┼─'),
    ...rows.map((r) => line(heads.map((h) => r[h]))),
  ].join('\n');
}

/** "2000.00" -> "$2,000.00"; null -> "-". */
const usd = (wire: string | null | undefined) =>
  wire ? `$${wire.replace(/\B(?=(\d{3})+(?!\d))(?=.*\.)/g, ',')}` : '-';

let failed = false;
try {
  const campaign = await api('POST', '/api/v1/campaigns', {
    id: CAMPAIGN,
    client: 'Glow Skincare',
    platform: 'instagram',
    deliverables: '1 Instagram Reel, 2 Instagram Stories',
    budget: '20000',
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
      outcome: OUTCOME[n.state] ?? n.state.replaceAll('_', ' '),
      'our last offer': usd(n.lastOfferedRate),
      'their ask': usd(n.theirLastAsk),
      agreed: usd(n.agreedRate),
      CPM: usd(n.agreedCpm),
      why: n.escalation?.reason ?? '',
    });
  }
  const c = await api('GET', `/api/v1/campaigns/${CAMPAIGN}`);
  console.log('\nDemo campaign "Glow Skincare" (sandbox; $25 CPM target, 20% leniency, $3,000 max without approval)\n');
  console.log(table(rows));
  console.log(
    `\nDeals agreed: ${c.dealsAgreed} of ${c.negotiations.length}; average CPM ${usd(c.averageAgreedCpm)} ` +
      `(target ${usd(c.floorCpm)}, ceiling ${usd(c.ceilingCpm)}); committed ${usd(c.budgetCommitted)} of ${usd(c.budget)}.`,
  );
  const dashboard = `${agent.url}/dashboard#campaign=${CAMPAIGN}`;
  console.log(`\nThe campaign stays in ${dir}. Remove it with: npm run demo -- --clean`);
  if (args.has('--exit')) {
    console.log(
      `Dashboard (after DATA_DIR=${dir} npm start): ${dashboard.replace(agent.url, 'http://127.0.0.1:3000')}`,
    );
  } else {
    console.log(`\nDashboard: ${dashboard}\n(the demo agent keeps serving it; Ctrl-C stops it)`);
    await new Promise<void>((resolveStop) => {
      process.once('SIGINT', () => resolveStop());
      process.once('SIGTERM', () => resolveStop());
    });
  }
} catch (error) {
  failed = true;
  console.error(`The demo failed: ${(error as Error).message}`);
} finally {
  await agent.close();
}
process.exitCode = failed ? 1 : 0;

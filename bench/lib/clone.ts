/**
 * Grows a stopped agent's data directory to many negotiations by cloning real ones (created through the
 * product) with new identities: the negotiation row and snapshot, its timeline, effect journal and inbox rows
 * (agent.db), and its mail and Slack messages (sandbox.db). Ids, thread ids, Message-IDs, Slack ts, e-mail
 * addresses and names are replaced consistently in every text; every timestamp is moved onto a new timeline
 * (replies and human actions hours apart, last event 1-48 hours ago) so every follow-up deadline (72 h after the
 * last email) lies ahead and the boot measures a restore, not a burst of overdue follow-ups.
 * Written in big transactions (BATCH negotiations each, synchronous=OFF, a large page cache), checkpointed at the
 * end; it can run again on the same directory to grow it further (campaigns are reused, names keep counting).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const HOUR = 3_600_000;
const BATCH = 10_000; // negotiations per transaction
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

type Row = Record<string, unknown>;

interface Template {
  id: string;
  category: string;
  row: Row;
  timeline: Row[];
  effects: Row[];
  inbox: Row[];
  mail: Row[];
  slack: Row[];
  tokens: Map<string, (n: number) => string>; // old text -> new text for clone n
  humanMs: number[]; // when the influencer replied or a person acted (sorted)
  lastMs: number;
}

export interface ClonePlan {
  dataDir: string;
  templates: { id: string; category: string }[];
  /** how many clones of each category */
  counts: Record<string, number>;
  seedCampaignId: string;
  campaigns: number; // spread the clones over this many campaigns (created when missing)
  followUpAfterMs: number;
  /** numbering of the cloned creators starts after this (a second clone into the same directory) */
  firstIndex?: number;
}

export interface CloneResult {
  negotiations: number;
  timelineRows: number;
  effectRows: number;
  mailRows: number;
  seconds: number;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const rand = (min: number, max: number) => min + Math.random() * (max - min);

export function cloneNegotiations(plan: ClonePlan): CloneResult {
  const started = performance.now();
  const db = new Database(join(plan.dataDir, 'agent.db'));
  const sandbox = new Database(join(plan.dataDir, 'sandbox.db'));
  for (const d of [db, sandbox]) {
    d.pragma('synchronous = OFF'); // a bulk build; checkpointed (and fsynced by the caller) at the end
    d.pragma('cache_size = -262144'); // 256 MiB: the timeline's five indexes take random inserts
  }

  const seedCampaign = db.prepare('SELECT * FROM campaigns WHERE id = ?').get(plan.seedCampaignId) as Row;
  const seedStart = db
    .prepare('SELECT * FROM timeline WHERE campaign_id = ? AND negotiation_id IS NULL ORDER BY id LIMIT 1')
    .get(plan.seedCampaignId) as Row | undefined;
  if (!seedCampaign) throw new Error(`no campaign ${plan.seedCampaignId}`);

  const templates: Template[] = plan.templates.map(({ id, category }) => {
    const row = db.prepare('SELECT * FROM negotiations WHERE id = ?').get(id) as Row;
    if (!row) throw new Error(`no negotiation ${id}`);
    if (row.busy) throw new Error(`template ${id} is busy`);
    const timeline = db.prepare('SELECT * FROM timeline WHERE negotiation_id = ? ORDER BY id').all(id) as Row[];
    const effects = db.prepare('SELECT * FROM effects WHERE negotiation_id = ?').all(id) as Row[];
    const inbox = db.prepare('SELECT * FROM inbox WHERE negotiation_id = ?').all(id) as Row[];
    const mail = sandbox
      .prepare('SELECT * FROM mail WHERE thread_id = ? ORDER BY history_id')
      .all(row.thread_id) as Row[];
    const slack = sandbox.prepare('SELECT * FROM slack WHERE negotiation_id = ? ORDER BY seq').all(id) as Row[];
    const tokens = new Map<string, (n: number) => string>();
    tokens.set(id, () => `neg-${hex(8)}`);
    tokens.set(String(row.thread_id), () => hex(8));
    tokens.set(String(row.influencer_email), (n) => `creator${n}@creators.example`);
    tokens.set(String(row.influencer_name), (n) => `Creator ${n}`);
    for (const m of mail) {
      const old = String(m.message_id);
      const domain = old.slice(old.indexOf('@') + 1, -1);
      tokens.set(old, () => `<${hex(16)}@${domain}>`);
    }
    for (const m of inbox)
      if (!tokens.has(String(m.message_id))) tokens.set(String(m.message_id), () => `<${hex(12)}@x>`);
    const times = [row.created_at, row.updated_at, ...timeline.map((t) => t.at)].map((t) => Date.parse(String(t)));
    const human = [
      ...inbox.map((m) => m.received_at),
      ...timeline.filter((t) => ['control', 'takeover', 'release'].includes(String(t.type))).map((t) => t.at),
    ].map((t) => Date.parse(String(t)));
    return {
      id,
      category,
      row,
      timeline,
      effects,
      inbox,
      mail,
      slack,
      tokens,
      humanMs: human.sort((a, b) => a - b),
      lastMs: Math.max(...times),
    };
  });
  const byCategory = Map.groupBy(templates, (t) => t.category);

  const cols = (table: string, d: Database.Database) =>
    (d.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  const insertInto = (d: Database.Database, table: string, skip: string[] = []) => {
    const names = cols(table, d).filter((c) => !skip.includes(c));
    return d.prepare(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`);
  };
  const insNegotiation = insertInto(db, 'negotiations');
  const insTimeline = insertInto(db, 'timeline', ['id']);
  const insEffect = insertInto(db, 'effects');
  const insInbox = insertInto(db, 'inbox');
  const insCampaign = insertInto(db, 'campaigns');
  const insMail = insertInto(sandbox, 'mail', ['history_id']);
  const insSlack = insertInto(sandbox, 'slack');
  let slackSeq = (sandbox.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM slack').get() as { n: number }).n;

  const now = Date.now();
  const campaignIds = Array.from({ length: plan.campaigns }, (_, i) => `bench-c${String(i + 1).padStart(2, '0')}`);
  let timelineRows = 0;
  let effectRows = 0;
  let mailRows = 0;
  let n = 0;
  const first = plan.firstIndex ?? 0;
  const campaignExists = db.prepare('SELECT 1 FROM campaigns WHERE id = ?').pluck();

  db.transaction(() => {
    campaignIds.forEach((cid, i) => {
      if (campaignExists.get(cid)) return;
      const created = new Date(now - 7 * 24 * HOUR + i * HOUR).toISOString();
      const swap = (v: unknown) => (typeof v === 'string' ? v.replaceAll(plan.seedCampaignId, cid) : v);
      insCampaign.run({ ...mapRow(seedCampaign, swap), created_at: created });
      if (seedStart) insTimeline.run({ ...mapRow(seedStart, swap), at: created });
    });
  })();
  const order: string[] = [];
  for (const [category, count] of Object.entries(plan.counts)) for (let i = 0; i < count; i++) order.push(category);
  shuffle(order);
  for (let from = 0; from < order.length; from += BATCH) {
    const batch = order.slice(from, from + BATCH);
    db.transaction(() => {
      sandbox.transaction(() => cloneBatch(batch))();
    })();
  }

  function cloneBatch(batch: string[]) {
    for (const category of batch) {
      const pool = byCategory.get(category);
      if (!pool?.length) throw new Error(`no template for ${category}`);
      const t = pool[n % pool.length];
      n++;
      const campaignId = campaignIds[(first + n) % campaignIds.length];
      // New timeline: every reply or human action comes 2-30 h after what preceded it (the agent's own steps
      // keep their real millisecond gaps), and the last event lies 1-48 h in the past, so the last email is
      // at most 48 h old and no follow-up (72 h) is due when the agent boots.
      const extras = t.humanMs.map(() => rand(2, 30) * HOUR);
      const end = now - rand(1, 48) * HOUR;
      const shift = end - (t.lastMs + extras.reduce((a, b) => a + b, 0));
      const time = (ms: number) => {
        let at = ms + shift;
        for (let i = 0; i < t.humanMs.length && t.humanMs[i] <= ms; i++) at += extras[i];
        return Math.round(at);
      };
      const replacements = new Map<string, string>([[plan.seedCampaignId, campaignId]]);
      for (const [old, make] of t.tokens) replacements.set(old, make(first + n));
      const firstSlackSeq = slackSeq + 1;
      for (const s of t.slack) {
        slackSeq++;
        const seconds = Math.floor(time(Date.parse(String(s.at))) / 1000);
        replacements.set(String(s.ts), `${seconds}.${String(slackSeq).padStart(6, '0')}`);
      }
      const keys = [...replacements.keys()].sort((a, b) => b.length - a.length);
      const pattern = new RegExp(keys.map(escapeRegExp).join('|'), 'g');
      const rewrite = (v: unknown) =>
        typeof v === 'string'
          ? v
              .replace(pattern, (m) => replacements.get(m) ?? m)
              .replace(ISO, (iso) => new Date(time(Date.parse(iso))).toISOString())
          : v;
      const row = mapRow(t.row, rewrite);
      const deadline = t.row.next_deadline_at as number | null;
      row.next_deadline_at = deadline == null ? null : time(deadline - plan.followUpAfterMs) + plan.followUpAfterMs;
      insNegotiation.run(row);
      for (const e of t.timeline) insTimeline.run(mapRow(e, rewrite));
      for (const e of t.effects) insEffect.run(mapRow(e, rewrite));
      for (const e of t.inbox) insInbox.run(mapRow(e, rewrite));
      for (const m of t.mail) insMail.run(mapRow(m, rewrite));
      t.slack.forEach((s, i) => {
        insSlack.run({ ...mapRow(s, rewrite), seq: firstSlackSeq + i });
      });
      timelineRows += t.timeline.length;
      effectRows += t.effects.length;
      mailRows += t.mail.length;
    }
  }
  // The agent reads the mailbox after its cursor at boot: the cloned mail is history, not new mail.
  const maxHistory = (sandbox.prepare('SELECT COALESCE(MAX(history_id), 0) AS n FROM mail').get() as { n: number }).n;
  db.prepare(
    "INSERT INTO settings (key, value) VALUES ('mail.cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(String(maxHistory));

  for (const d of [db, sandbox]) {
    d.pragma('wal_checkpoint(TRUNCATE)');
    d.close();
  }
  return { negotiations: n, timelineRows, effectRows, mailRows, seconds: (performance.now() - started) / 1000 };
}

function mapRow(row: Row, f: (v: unknown) => unknown): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = f(v);
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

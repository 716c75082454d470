/** The append-only timeline/audit trail (decisions D14): writes and the audit query. */
import type { Statement } from 'better-sqlite3';
import type { AuditColumns } from '../services/audit-text.ts';
import type { Db } from './db.ts';

export interface TimelineRow {
  negotiationId: string | null;
  campaignId: string | null;
  influencerEmail: string | null;
  at: string;
  entry: { type: string; [field: string]: unknown };
}

const statements = new WeakMap<Db, Statement<unknown[]>>();

export function appendTimeline(db: Db, row: TimelineRow): void {
  let insert = statements.get(db);
  if (!insert) {
    insert = db.prepare(
      'INSERT INTO timeline (at, type, negotiation_id, campaign_id, influencer_email, data) VALUES (?, ?, ?, ?, ?, ?)',
    );
    statements.set(db, insert);
  }
  const { type, ...data } = row.entry;
  insert.run(row.at, type, row.negotiationId, row.campaignId, row.influencerEmail, JSON.stringify(data));
}

export interface AuditQuery {
  negotiationId?: string;
  campaignId?: string;
  /** One email or several (case-insensitive, as stored: lower-cased). */
  influencerEmail?: string | string[];
  types?: string[];
  from?: string; // ISO, inclusive
  to?: string; // ISO, inclusive (a bare date covers that whole day)
  limit?: number;
  order?: 'asc' | 'desc';
  /** 'insertion' (default): the order entries were written; 'time': by `at`, ties in insertion order. */
  by?: 'insertion' | 'time';
}

export interface AuditEntry extends AuditColumns {
  data: Record<string, unknown>;
}

function whereOf(q: AuditQuery): { sql: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    where.push(sql);
    args.push(value);
  };
  const emails = q.influencerEmail == null ? [] : [q.influencerEmail].flat().map((e) => e.toLowerCase());
  if (q.negotiationId) add('t.negotiation_id = ?', q.negotiationId);
  if (q.campaignId) add('t.campaign_id = ?', q.campaignId);
  if (q.influencerEmail != null) {
    where.push(`t.influencer_email IN (${emails.map(() => '?').join(', ')})`);
    args.push(...emails);
  }
  if (q.from) add('t.at >= ?', q.from);
  if (q.to) add('t.at <= ?', /^\d{4}-\d{2}-\d{2}$/.test(q.to) ? `${q.to}T23:59:59.999Z` : q.to);
  if (q.types?.length) {
    where.push(`t.type IN (${q.types.map(() => '?').join(', ')})`);
    args.push(...q.types);
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

// Prepared audit statements by SQL text: a few shapes (which filters are set), asked on every reply for its hints.
const prepared = new WeakMap<Db, Map<string, Statement<unknown[]>>>();
function statement(db: Db, sql: string): Statement<unknown[]> {
  let cache = prepared.get(db);
  if (!cache) {
    cache = new Map();
    prepared.set(db, cache);
  }
  let found = cache.get(sql);
  if (!found) {
    if (cache.size >= 64) cache.clear(); // many type lists: keep it bounded
    found = db.prepare(sql);
    cache.set(sql, found);
  }
  return found;
}

/** The one audit query: behind the API's timeline, the reply hints, the CLI and Slack /audit (audit.ts). */
export function queryTimeline(db: Db, q: AuditQuery): AuditEntry[] {
  const where = whereOf(q);
  const dir = q.order === 'desc' ? 'DESC' : 'ASC';
  const sql = `SELECT t.id, t.at, t.type, t.negotiation_id AS negotiationId, t.campaign_id AS campaignId,
      t.influencer_email AS influencerEmail, n.influencer_name AS influencerName, t.data
    FROM timeline t LEFT JOIN negotiations n ON n.id = t.negotiation_id
    ${where.sql} ORDER BY ${q.by === 'time' ? `t.at ${dir}, ` : ''}t.id ${dir} LIMIT ?`;
  const rows = statement(db, sql).all(...where.args, q.limit ?? 1000) as (Omit<AuditEntry, 'data'> & {
    data: string;
  })[];
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) }));
}

/** How many entries the query matches (its limit ignored). */
export function countTimeline(db: Db, q: AuditQuery): number {
  const where = whereOf(q);
  return statement(db, `SELECT COUNT(*) FROM timeline t ${where.sql}`)
    .pluck()
    .get(...where.args) as number;
}

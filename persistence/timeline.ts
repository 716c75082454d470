/** The append-only timeline/audit trail (decisions D14): writes and the audit query. */
import type { Statement } from 'better-sqlite3';
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
  influencerEmail?: string;
  types?: string[];
  from?: string; // ISO, inclusive
  to?: string; // ISO, inclusive (a bare date covers that whole day)
  limit?: number;
  order?: 'asc' | 'desc';
}

export interface AuditEntry {
  id: number;
  at: string;
  type: string;
  negotiationId: string | null;
  campaignId: string | null;
  influencerEmail: string | null;
  data: Record<string, unknown>;
}

/** The one audit query behind the API, the CLI and Slack /audit. */
export function queryTimeline(db: Db, q: AuditQuery): AuditEntry[] {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    where.push(sql);
    args.push(value);
  };
  if (q.negotiationId) add('negotiation_id = ?', q.negotiationId);
  if (q.campaignId) add('campaign_id = ?', q.campaignId);
  if (q.influencerEmail) add('influencer_email = ?', q.influencerEmail.toLowerCase());
  if (q.from) add('at >= ?', q.from);
  if (q.to) add('at <= ?', /^\d{4}-\d{2}-\d{2}$/.test(q.to) ? `${q.to}T23:59:59.999Z` : q.to);
  if (q.types?.length) {
    where.push(`type IN (${q.types.map(() => '?').join(', ')})`);
    args.push(...q.types);
  }
  const sql = `SELECT id, at, type, negotiation_id AS negotiationId, campaign_id AS campaignId,
      influencer_email AS influencerEmail, data FROM timeline
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY id ${q.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ?`;
  const rows = db.prepare(sql).all(...args, q.limit ?? 1000) as (Omit<AuditEntry, 'data'> & { data: string })[];
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) }));
}

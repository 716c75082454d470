/**
 * The audit trail as people query it (decisions D14; slack-ops.md §3.4-§3.5): by influencer, campaign, date range
 * and event type, newest first, from the CLI (scripts/audit.ts) and from Slack /audit (server/slack/audit.ts).
 * Reads the append-only `timeline` table; entries come back in the wire form of the API (money as "2000.00"), as
 * services/audit-text.ts describes and prints them.
 *
 * Departures from the original, on purpose: the influencer filter is case-insensitive (an email, or a name matched
 * exactly but ignoring case, as its help text promised); a bare `to` date includes that whole day; ties in time
 * are broken by insertion order; dates and event types are validated with a clear message instead of silently
 * matching nothing; the real total is reported in Slack (not capped at the query limit).
 */
import { AUDIT_COLUMNS, type AuditRecord } from '../services/audit-text.ts';
import { withMoney } from '../services/money.ts';
import type { Db } from './db.ts';
import { type AuditEntry, type AuditQuery, countTimeline, queryTimeline } from './timeline.ts';

/** Every event type the agent writes to the timeline (machines/negotiation.ts TimelineEntry, store, host, intake). */
export const AUDIT_EVENT_TYPES = [
  'email_sent',
  'email_received',
  'state_transition',
  'escalation',
  'agreement',
  'approval',
  'walk_away',
  'takeover',
  'release',
  'control',
  'notice',
  'classified',
  'error',
  'campaign_start',
  'campaign_control',
] as const;

export const DEFAULT_AUDIT_LIMIT = 50;
export const MAX_AUDIT_LIMIT = 100_000;

export interface AuditFilter {
  /** An email (case-insensitive) or an influencer's name (exact, case-insensitive). */
  influencer?: string;
  campaign?: string;
  /** ISO date (YYYY-MM-DD, from the start of that day, UTC) or date-time with a zone; inclusive. */
  from?: string;
  /** ISO date (YYYY-MM-DD, to the end of that day, UTC) or date-time with a zone; inclusive. */
  to?: string;
  event?: string[];
  /** Default 50. */
  limit?: number;
  /** Default 'desc' (newest first). */
  order?: 'asc' | 'desc';
}

/** A filter or argument the user got wrong; the message says what and how to fix it. */
export class AuditUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditUsageError';
  }
}

// ---- validation ----

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/i;

function realDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

/**
 * A bound as the timeline stores times (`Date.toISOString()`), so string order is time order. A bare date is the
 * start of that day (from) or its last millisecond (to), UTC.
 */
export function parseAuditDate(value: string, bound: 'from' | 'to'): string {
  const text = value.trim();
  const bad = (why: string) =>
    new AuditUsageError(
      `Invalid ${bound} date "${value}": ${why}. Use YYYY-MM-DD (UTC) or an ISO date-time with a zone, e.g. 2026-01-31 or 2026-01-31T09:30:00Z`,
    );
  const date = DATE.exec(text);
  if (date) {
    if (!realDate(date[1], date[2], date[3])) throw bad('no such day');
    return `${text}${bound === 'from' ? 'T00:00:00.000Z' : 'T23:59:59.999Z'}`;
  }
  const dt = DATE_TIME.exec(text);
  if (!dt) throw bad('not an ISO date');
  if (!realDate(dt[1], dt[2], dt[3])) throw bad('no such day');
  if (Number(dt[4]) > 23 || Number(dt[5]) > 59 || Number(dt[6] ?? 0) > 59) throw bad('no such time');
  if (!dt[8]) throw bad('a date-time needs a zone (Z or +hh:mm)');
  const ms = Date.parse(text.toUpperCase());
  if (Number.isNaN(ms)) throw bad('not an ISO date');
  return new Date(ms).toISOString();
}

/** `7d` or `24h` before `now`, as an ISO bound. */
export function parseDuration(value: string, now: number): string {
  const m = /^(\d+)([a-z]?)$/i.exec(value.trim());
  if (!m || value.trim().length < 2)
    throw new AuditUsageError(`Unrecognized duration format: '${value}'. Use e.g. 7d or 24h.`);
  const unit = m[2].toLowerCase();
  if (unit !== 'd' && unit !== 'h') {
    throw new AuditUsageError(`Unrecognized duration format: '${value}'. Use 'd' for days or 'h' for hours.`);
  }
  const n = Number(m[1]);
  const ms = n * (unit === 'd' ? 86_400_000 : 3_600_000);
  if (!Number.isSafeInteger(ms) || ms > now) throw new AuditUsageError(`Duration too long: '${value}'`);
  return new Date(now - ms).toISOString();
}

/** Splits "a,b c" into event types and checks each one. */
export function parseEventTypes(value: string | string[]): string[] {
  const list = (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(/[\s,]+/))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
  const unknown = list.filter((t) => !(AUDIT_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length) {
    throw new AuditUsageError(
      `Unknown event type${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `"${t}"`).join(', ')}. Known: ${AUDIT_EVENT_TYPES.join(', ')}`,
    );
  }
  return [...new Set(list)];
}

/** Checks and normalizes a filter (dates to ISO bounds); throws AuditUsageError. */
export function normalizeAuditFilter(filter: AuditFilter): AuditFilter {
  const out: AuditFilter = { order: filter.order ?? 'desc', limit: filter.limit ?? DEFAULT_AUDIT_LIMIT };
  const influencer = filter.influencer?.trim();
  if (influencer) out.influencer = influencer;
  const campaign = filter.campaign?.trim();
  if (campaign) out.campaign = campaign;
  if (filter.from?.trim()) out.from = parseAuditDate(filter.from, 'from');
  if (filter.to?.trim()) out.to = parseAuditDate(filter.to, 'to');
  if (out.from && out.to && out.from > out.to) {
    throw new AuditUsageError(`The from date (${filter.from}) is after the to date (${filter.to})`);
  }
  if (filter.event?.length) {
    const event = parseEventTypes(filter.event);
    if (event.length) out.event = event;
  }
  const limit = out.limit as number;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) {
    throw new AuditUsageError(`Invalid limit ${filter.limit}: use a whole number from 1 to ${MAX_AUDIT_LIMIT}`);
  }
  if (out.order !== 'asc' && out.order !== 'desc') throw new AuditUsageError(`Invalid order ${filter.order}`);
  return out;
}

// ---- the query ----

const collapse = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * The emails an influencer filter stands for: an email itself (lower-cased, as stored), or every email of the
 * negotiations whose influencer name equals the text ignoring case and extra spaces.
 */
export function influencerEmails(db: Db, influencer: string): string[] {
  const text = influencer
    .trim()
    .replace(/^<?mailto:|[<>]/g, '')
    .split('|')[0]
    .trim();
  if (text.includes('@')) return [text.toLowerCase()];
  const wanted = collapse(text);
  const rows = db
    .prepare('SELECT DISTINCT influencer_name AS name, influencer_email AS email FROM negotiations')
    .all() as { name: string; email: string }[];
  return [...new Set(rows.filter((r) => collapse(r.name) === wanted).map((r) => r.email.toLowerCase()))];
}

/** The audit filter as the one timeline query takes it; null when the influencer matches nobody. */
function queryOf(db: Db, f: AuditFilter): AuditQuery | null {
  const emails = f.influencer ? influencerEmails(db, f.influencer) : undefined;
  if (emails && !emails.length) return null;
  return {
    influencerEmail: emails,
    campaignId: f.campaign,
    from: f.from,
    to: f.to,
    types: f.event,
    limit: f.limit,
    order: f.order ?? 'desc',
    by: 'time',
  };
}

function toRecord(e: AuditEntry, withBodies: boolean): AuditRecord {
  const data = withMoney(e.data, withBodies);
  for (const key of AUDIT_COLUMNS) delete data[key];
  const { data: _, ...columns } = e;
  return { ...columns, ...data };
}

/**
 * The audit query behind the CLI and Slack /audit: newest first (by time, then insertion order), at most `limit`
 * entries (default 50). Email bodies are included unless `withBodies` is false. Throws AuditUsageError for a bad
 * filter (see normalizeAuditFilter).
 */
export function queryAudit(db: Db, filter: AuditFilter = {}, options: { withBodies?: boolean } = {}): AuditRecord[] {
  const q = queryOf(db, normalizeAuditFilter(filter));
  return q ? queryTimeline(db, q).map((e) => toRecord(e, options.withBodies ?? true)) : [];
}

/** How many entries match the filter (its limit ignored). */
export function countAudit(db: Db, filter: AuditFilter = {}): number {
  const q = queryOf(db, normalizeAuditFilter({ ...filter, limit: undefined }));
  return q ? countTimeline(db, q) : 0;
}

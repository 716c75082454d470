/**
 * The audit trail as people query it (decisions D14; slack-ops.md §3.4-§3.5): by influencer, campaign, date range
 * and event type, newest first, from the CLI (scripts/audit.ts) and from Slack /audit. Reads the append-only
 * `timeline` table; entries come back in the wire form of the API (money as "2000.00").
 *
 * Departures from the original, on purpose: the influencer filter is case-insensitive (an email, or a name matched
 * exactly but ignoring case, as its help text promised); a bare `to` date includes that whole day; ties in time
 * are broken by insertion order; dates and event types are validated with a clear message instead of silently
 * matching nothing; the real total is reported in Slack (not capped at the query limit).
 */
import { escapeMrkdwn } from '../services/chat/messages.ts';
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
/** Rows shown in a Slack /audit answer (slack-ops.md §3.5). */
export const SLACK_AUDIT_ROWS = 10;

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

/** One audit entry on the wire: the columns, then the entry's own fields (`xxxCents` become `xxx: "2000.00"`). */
export interface AuditRecord {
  id: number;
  at: string;
  type: string;
  negotiationId: string | null;
  campaignId: string | null;
  influencerEmail: string | null;
  influencerName: string | null;
  [field: string]: unknown;
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

const COLUMNS = ['id', 'at', 'type', 'negotiationId', 'campaignId', 'influencerEmail', 'influencerName'];

function toRecord(e: AuditEntry, withBodies: boolean): AuditRecord {
  const data = withMoney(e.data, withBodies);
  for (const key of COLUMNS) delete data[key];
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

// ---- text output ----

const str = (v: unknown): string => (v == null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** One line saying what the entry is about (the columns say who, when and how much). */
export function auditDetail(e: AuditRecord): string {
  const by = e.by ? ` by ${str(e.by)}` : '';
  switch (e.type) {
    case 'email_sent':
      return `${str(e.kind)} to ${str(e.to)}: ${str(e.subject)}`;
    case 'email_received':
      return `from ${str(e.from)}${e.subject ? `: ${str(e.subject)}` : ''}${e.note ? ` (${str(e.note)})` : ''}`;
    case 'state_transition':
      return `${str(e.from)} -> ${str(e.to)}${e.event ? ` (${str(e.event)})` : ''}`;
    case 'escalation':
      return `${str(e.trigger)}: ${str(e.reason)}`;
    case 'agreement':
      return `agreed${e.views != null ? ` (${str(e.views)} views)` : ''}`;
    case 'classified': {
      const triggers = Array.isArray(e.triggers) ? e.triggers.map((t) => str((t as { kind?: unknown }).kind)) : [];
      const conf = typeof e.confidence === 'number' ? ` ${e.confidence.toFixed(2)}` : '';
      return `${str(e.intent)}${conf}${triggers.length ? ` [${triggers.join(', ')}]` : ''}`;
    }
    case 'takeover':
      return `taken over${by}${e.sender ? ` (${str(e.sender)})` : ''}`;
    case 'control':
      return `${str(e.action)}${by}`;
    case 'approval':
    case 'walk_away':
    case 'release':
      return by.trim();
    case 'notice':
      return str(e.notice);
    case 'error':
      return `${e.cause ? `${str(e.cause)}: ` : ''}${str(e.message)}${e.parked ? ' (parked)' : ''}`;
    case 'campaign_start':
      return `${str(e.started)} started, ${str(e.existing)} existing${e.source ? ` (${str(e.source)})` : ''}`;
    case 'campaign_control':
      return `campaign ${str(e.action)}${by} (${str(e.negotiations)} negotiation(s))`;
    default: {
      const skip = new Set([...COLUMNS, 'text', 'raw', 'draft']);
      return Object.entries(e)
        .filter(([k, v]) => !skip.has(k) && v != null && typeof v !== 'object')
        .map(([k, v]) => `${k}=${str(v)}`)
        .join(' ');
    }
  }
}

/** The amount an entry is about: the rate, else their ask, else the suggested counter. */
function amountOf(e: AuditRecord): string {
  for (const key of ['rate', 'ask', 'suggested']) if (typeof e[key] === 'string') return e[key] as string;
  return '';
}

const TABLE_COLUMNS: [string, number, (e: AuditRecord) => string][] = [
  ['Time', 24, (e) => e.at],
  ['Event', 16, (e) => e.type],
  ['Influencer', 28, (e) => e.influencerEmail ?? ''],
  ['Campaign', 16, (e) => e.campaignId ?? ''],
  ['Amount', 10, amountOf],
  ['Detail', 60, auditDetail],
];

/** Control characters and line breaks become spaces; a value longer than its column ends in "...". */
function cell(value: string, width: number, last: boolean): string {
  const flat = value.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');
  const cut = flat.length > width ? `${flat.slice(0, width - 3)}...` : flat;
  return last ? cut : cut.padEnd(width);
}

/**
 * A fixed-width text table (slack-ops.md §3.4): a header, a rule of "-" as long as the header, then one line per
 * entry, columns joined by two spaces, long values cut with "...". No entries: "No results found.".
 */
export function formatAuditTable(entries: AuditRecord[], options: { detailWidth?: number } = {}): string {
  if (!entries.length) return 'No results found.';
  const columns = TABLE_COLUMNS.map(([name, width, value], i): [string, number, (e: AuditRecord) => string] =>
    i === TABLE_COLUMNS.length - 1 ? [name, options.detailWidth ?? width, value] : [name, width, value],
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => cell(v, columns[i][1], i === columns.length - 1))
      .join('  ')
      .trimEnd();
  const header = line(columns.map(([name]) => name));
  return [header, '-'.repeat(header.length), ...entries.map((e) => line(columns.map(([, , value]) => value(e))))].join(
    '\n',
  );
}

// ---- Slack /audit ----

const SLACK_KEYS = ['influencer', 'campaign', 'last', 'from', 'to', 'event_type', 'event'] as const;
type SlackKey = (typeof SLACK_KEYS)[number];

export const AUDIT_USAGE =
  'Usage: /audit [influencer:<email or name>] [campaign:<id>] [last:<7d|24h>] [from:<YYYY-MM-DD>] [to:<YYYY-MM-DD>] [event_type:<type,type>]\n' +
  `Event types: ${AUDIT_EVENT_TYPES.join(', ')}`;

export interface ParsedAuditArgs {
  filter: AuditFilter;
  /** The header of the answer, e.g. "Audit Trail: Jane Doe (last 7d)". */
  title: string;
}

/**
 * Parses the text of a Slack /audit command (slack-ops.md §3.5): `key:value` pairs, a value running to the next
 * ` key:` (so names may contain spaces), e.g. `influencer:Jane Doe last:7d`, `campaign:camp_123`,
 * `event_type:escalation,agreement last:30d`; empty text queries everything. Later duplicate keys win; empty values
 * are ignored. Unlike the original, text that is not a known `key:value` is a usage error (not silently ignored),
 * and dates, durations and event types are checked.
 */
export function parseAuditArgs(
  text: string,
  now: number = Date.now(),
): { ok: true; value: ParsedAuditArgs } | { ok: false; error: string } {
  try {
    return { ok: true, value: parseOrThrow(text, now) };
  } catch (error) {
    if (error instanceof AuditUsageError) return { ok: false, error: `${error.message}\n${AUDIT_USAGE}` };
    throw error;
  }
}

function parseOrThrow(text: string, now: number): ParsedAuditArgs {
  const input = text.trim();
  const keyAt = /(^|\s)([a-z_]+):/g;
  const marks: { key: string; start: number; valueStart: number }[] = [];
  for (let m = keyAt.exec(input); m; m = keyAt.exec(input)) {
    const start = m.index + m[1].length;
    if ((SLACK_KEYS as readonly string[]).includes(m[2])) {
      marks.push({ key: m[2], start, valueStart: start + m[2].length + 1 });
    } else if (marks.length === 0 || /^[a-z_]+:\S/.test(input.slice(start))) {
      throw new AuditUsageError(`Unknown filter "${m[2]}:"`);
    }
  }
  const before = input.slice(0, marks[0]?.start ?? input.length).trim();
  if (before) throw new AuditUsageError(`Unexpected "${before}": give filters as key:value`);
  const values: Partial<Record<SlackKey, string>> = {};
  marks.forEach((mark, i) => {
    const value = input.slice(mark.valueStart, marks[i + 1]?.start ?? input.length).trim();
    if (value) values[mark.key as SlackKey] = value;
  });

  const filter: AuditFilter = { limit: DEFAULT_AUDIT_LIMIT };
  if (values.influencer)
    filter.influencer = values.influencer
      .replace(/^<?mailto:|[<>]/g, '')
      .split('|')[0]
      .trim();
  if (values.campaign) filter.campaign = values.campaign;
  const events = values.event_type ?? values.event;
  if (events) filter.event = parseEventTypes(events);
  if (values.last && values.from) throw new AuditUsageError('Give either last: or from:, not both');
  if (values.last) filter.from = parseDuration(values.last, now);
  else if (values.from) filter.from = values.from;
  if (values.to) filter.to = values.to;
  normalizeAuditFilter(filter); // dates checked now, with the usage text

  const parts = ['Audit Trail'];
  if (filter.influencer) parts.push(filter.influencer);
  if (filter.campaign) parts.push(filter.campaign);
  if (values.last) parts.push(`(last ${values.last})`);
  if (values.from) parts.push(`(from ${values.from})`);
  if (values.to) parts.push(`(to ${values.to})`);
  if (filter.event) parts.push(`[${filter.event.join(', ')}]`);
  const title = parts.length > 1 ? `${parts[0]}: ${parts.slice(1).join(' ')}` : parts[0];
  return { filter, title: title.slice(0, 150) };
}

/**
 * The answer to a Slack /audit command, as mrkdwn text: the title, the count line of §3.5 (the real total), the
 * 10 most recent entries as a table (no email bodies), and a pointer to the CLI when there are more. Text from
 * emails is escaped (D11). A usage error is answered with the usage.
 */
export function slackAudit(db: Db, text: string, now: number = Date.now()): string {
  const parsed = parseAuditArgs(text, now);
  if (!parsed.ok) return parsed.error;
  const { filter, title } = parsed.value;
  const safe = (s: string) => escapeMrkdwn(s).replace(/`/g, "'");
  const heading = `*${safe(title)}*`;
  if (filter.influencer && !influencerEmails(db, filter.influencer).length) {
    return `${heading}\nNo influencer named "${safe(filter.influencer)}" (a name must match exactly, ignoring case; or give the email).`;
  }
  const total = countAudit(db, filter);
  if (total === 0) return `${heading}\nNo entries found.`;
  const rows = queryAudit(db, { ...filter, limit: SLACK_AUDIT_ROWS }, { withBodies: false });
  const count =
    total <= SLACK_AUDIT_ROWS
      ? `${total} ${total === 1 ? 'entry' : 'entries'} found.`
      : `${total} entries found (showing most recent ${SLACK_AUDIT_ROWS}).`;
  const lines = [heading, count, `\`\`\`\n${safe(formatAuditTable(rows, { detailWidth: 50 }))}\n\`\`\``];
  if (total > SLACK_AUDIT_ROWS) {
    lines.push(`Showing ${SLACK_AUDIT_ROWS} of ${total} results. Use the CLI (npm run audit) for full results.`);
  }
  return lines.join('\n');
}

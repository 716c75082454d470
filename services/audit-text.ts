/**
 * An audit entry as the audit trail gives it (the wire form of the API: money as "2000.00") and its text: one line
 * of detail, and the fixed-width table of the CLI and Slack /audit (slack-ops.md §3.4).
 */

/** The columns every timeline entry has (persistence/timeline.ts stores them). */
export interface AuditColumns {
  id: number;
  at: string;
  type: string;
  negotiationId: string | null;
  campaignId: string | null;
  influencerEmail: string | null;
  /** The negotiation's influencer, when the entry belongs to one. */
  influencerName: string | null;
}

/** One audit entry on the wire: the columns, then the entry's own fields (`xxxCents` become `xxx: "2000.00"`). */
export interface AuditRecord extends AuditColumns {
  [field: string]: unknown;
}

/** The columns of an audit entry; the other fields are the entry's own. */
export const AUDIT_COLUMNS = ['id', 'at', 'type', 'negotiationId', 'campaignId', 'influencerEmail', 'influencerName'];

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
      const skip = new Set([...AUDIT_COLUMNS, 'text', 'raw', 'draft']);
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

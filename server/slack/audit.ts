/**
 * Slack /audit (decisions D14; slack-ops.md §3.5): its `key:value` arguments, and the answer as mrkdwn text over
 * the audit trail's query (persistence/audit.ts) and table (services/audit-text.ts).
 */
import {
  AUDIT_EVENT_TYPES,
  type AuditFilter,
  AuditUsageError,
  countAudit,
  DEFAULT_AUDIT_LIMIT,
  influencerEmails,
  normalizeAuditFilter,
  parseDuration,
  parseEventTypes,
  queryAudit,
} from '../../persistence/audit.ts';
import type { Db } from '../../persistence/db.ts';
import { formatAuditTable } from '../../services/audit-text.ts';
import { escapeMrkdwn } from '../../services/chat/messages.ts';

/** Rows shown in a Slack /audit answer (slack-ops.md §3.5). */
export const SLACK_AUDIT_ROWS = 10;

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

/**
 * Reading sheet rows for the sheet monitor: each row's identity (email, else name), pairing today's rows with the
 * snapshot's, and what really changed in a row (normalised: case, spacing, "50,000" = "50000", "$1,000" =
 * "1000.00", "2.5%" = "2.5").
 */
import type { InfluencerRow } from './campaigns.ts';
import { parseDecimal } from './money.ts';
import type { SnapshotRow } from './sheet-snapshots.ts';
import { SHEET_COLUMNS } from './sheets/port.ts';

export interface FieldChange {
  field: keyof InfluencerRow;
  before: string | null;
  after: string | null;
}

export interface RowChange {
  kind: 'modified' | 'removed';
  name: string;
  email: string | null;
  /** modified: the fields that changed; removed: empty. */
  fields: FieldChange[];
}

/** One line of the Slack alert; sheet text is escaped where the message is built. */
export function describeChange(change: RowChange): string {
  const who = change.email ? `${change.name} (${change.email})` : change.name;
  if (change.kind === 'removed') return `${who}: row removed from the sheet`;
  const fields = change.fields.map((f) => `${f.field} ${f.before ?? '(empty)'} → ${f.after ?? '(empty)'}`);
  return `${who}: ${fields.join(', ')}`;
}

export const lower = (s: string) => s.trim().toLowerCase();
const squash = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
export const sameText = (a: string, b: string) => squash(a) === squash(b);
const textOf = (v: unknown): string => (v == null ? '' : String(v)).trim();
export const displayName = (r: SnapshotRow) => r.name ?? r.email ?? '(unnamed row)';

/** Sheet rows with their identity; rows with neither email nor name, and repeats, are dropped. */
export function identify(rows: InfluencerRow[]): SnapshotRow[] {
  const emails = new Set<string>();
  const names = new Set<string>();
  const out: SnapshotRow[] = [];
  for (const row of rows) {
    const email = lower(textOf(row.email)) || null;
    const name = textOf(row.name).replace(/\s+/g, ' ') || null;
    if (email) {
      if (emails.has(email)) continue;
      emails.add(email);
    } else if (name) {
      if (names.has(squash(name))) continue;
      names.add(squash(name));
    } else {
      continue;
    }
    out.push({ email, name, row: { ...row }, failed: null });
  }
  return out;
}

/** Current rows paired with previous ones: by email first, then by name (case- and spacing-insensitive). */
export function match(current: SnapshotRow[], previous: SnapshotRow[]) {
  const used = new Set<number>();
  const prevOf = new Map<SnapshotRow, SnapshotRow>();
  for (const row of current) {
    if (!row.email) continue;
    const i = previous.findIndex((p, j) => !used.has(j) && p.email === row.email);
    if (i >= 0) {
      used.add(i);
      prevOf.set(row, previous[i]);
    }
  }
  for (const row of current) {
    if (prevOf.has(row) || !row.name) continue;
    const name = squash(row.name);
    const i = previous.findIndex((p, j) => !used.has(j) && p.name !== null && squash(p.name) === name);
    if (i >= 0) {
      used.add(i);
      prevOf.set(row, previous[i]);
    }
  }
  return {
    matched: current.map((row) => ({ row, prev: prevOf.get(row) ?? null })),
    unmatchedPrevious: previous.filter((_, j) => !used.has(j)),
  };
}

/** A number written any usual way ("50,000", "50K", "$1,000.00", "2.5 %") as exact canonical text. */
function canonicalNumber(text: string): string | null {
  let t = text.toLowerCase().replace(/[\s,$%]|usd/g, '');
  let multiplier = 1n;
  if (/[km]$/.test(t)) {
    multiplier = t.endsWith('k') ? 1000n : 1_000_000n;
    t = t.slice(0, -1);
  }
  const d = parseDecimal(t);
  if (!d) return null;
  let n = d.n * multiplier;
  let scale = d.scale;
  while (scale > 0 && n % 10n === 0n) {
    n /= 10n;
    scale--;
  }
  return scale ? `${n}e-${scale}` : String(n);
}

const NUMERIC = new Set<keyof InfluencerRow>(['averageViews', 'engagementRate', 'minRate', 'maxRate']);

/** What a cell means, for comparison: "Instagram " = "instagram", "@Maya" = "maya", "50,000" = "50000". */
function normalised(field: keyof InfluencerRow, value: unknown): string {
  const text = textOf(value);
  if (NUMERIC.has(field)) return canonicalNumber(text) ?? squash(text);
  if (field === 'handle') return squash(text).replace(/^@/, '');
  return squash(text);
}

const FIELDS = [...new Set(Object.values(SHEET_COLUMNS))];

export function diff(before: InfluencerRow, after: InfluencerRow): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of FIELDS) {
    if (normalised(field, before[field]) === normalised(field, after[field])) continue;
    changes.push({ field, before: textOf(before[field]) || null, after: textOf(after[field]) || null });
  }
  return changes;
}

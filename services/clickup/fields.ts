/**
 * Reading one answer of the campaign form (decision D12): each parser turns a custom field's value into the
 * campaign body's value, or throws a FieldProblem saying why it cannot. Yes/No answers keep their meaning,
 * duration labels are matched case-insensitively, and "$1,000" / "50,000" / "2.5%" are read exactly (money as
 * integer cents, never through binary floats).
 */
import type { UsageDuration } from '../levers.ts';
import { formatMoney, moneyInput, parseDecimal } from '../money.ts';
import type { ClickUpCustomField, ClickUpOption } from './task.ts';

export class FieldProblem extends Error {}
export function fail(message: string): never {
  throw new FieldProblem(message);
}
export const show = (v: unknown) => JSON.stringify(v);

const TEXT_TYPES = new Set(['text', 'short_text', 'url', 'email', 'phone']);

export function hasValue(f: ClickUpCustomField): boolean {
  const v = f.value;
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  // ClickUp sends a bare 0 for an empty text field (domain.md §5.1 "text-or-null").
  if (TEXT_TYPES.has(f.type) && typeof v !== 'string') return false;
  return true;
}

export const normName = (s: string) =>
  s
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

function optionText(o: ClickUpOption | Record<string, unknown>): string | null {
  const r = o as Record<string, unknown>;
  for (const k of ['name', 'label', 'username', 'email']) if (typeof r[k] === 'string' && r[k]) return r[k] as string;
  return null;
}

/** The human labels of a field's value: drop-down option names, label names, user names, or the text itself. */
export function labelsOf(f: ClickUpCustomField): string[] {
  const v = f.value;
  const options = (f.type_config?.options ?? []) as ClickUpOption[];
  if (f.type === 'drop_down') {
    // The task API gives the chosen option's orderindex; tolerate an option id too.
    const byIndex =
      typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))
        ? options.find((o) => o.orderindex != null && Number(o.orderindex) === Number(v))
        : undefined;
    const option = byIndex ?? options.find((o) => o.id != null && o.id === v);
    const name = option ? optionText(option) : null;
    if (name == null) fail(`the answer ${show(v)} is not one of the field's options`);
    return [name as string];
  }
  const items = Array.isArray(v) ? v : [v];
  return items.map((item) => {
    if (f.type === 'labels' && typeof item === 'string') {
      const option = options.find((o) => o.id === item);
      const name = option ? optionText(option) : null;
      if (name == null) fail(`the answer ${show(item)} is not one of the field's options`);
      return name as string;
    }
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    const name = item && typeof item === 'object' ? optionText(item as Record<string, unknown>) : null;
    if (name == null) fail(`cannot read the answer ${show(item)}`);
    return name as string;
  });
}

// Field parsers: each returns the body value or throws a FieldProblem (undefined = nothing to set).
export type Parser<T> = (f: ClickUpCustomField) => T | undefined;

export const text: Parser<string> = (f) => {
  const t = labelsOf(f).join(', ').trim();
  return t === '' ? undefined : t;
};

export const list: Parser<string[]> = (f) => {
  const labels = labelsOf(f);
  // A free-text field answered "Venmo, PayPal" is a list too.
  const parts = TEXT_TYPES.has(f.type) ? labels.flatMap((l) => l.split(/[,;\n]/)) : labels;
  const out = parts.map((p) => p.trim()).filter(Boolean);
  return out.length ? out : undefined;
};

const YES = /^(yes|y|true)\b/i;
const NO = /^(no|n|false|none|not required)\b/i;
export const yesNo: Parser<boolean> = (f) => {
  if (typeof f.value === 'boolean') return f.value;
  if (f.type === 'checkbox' && (f.value === 'true' || f.value === 'false')) return f.value === 'true';
  const label = labelsOf(f).join(', ').trim();
  if (YES.test(label)) return true;
  if (NO.test(label)) return false;
  return fail(`${show(label)} is not a Yes/No answer`);
};

/** Plain decimal text from a number or a person's text; `unit` ("$" or "%") and thousands separators dropped. */
function decimalText(raw: unknown, unit: '$' | '%'): string {
  if (typeof raw === 'number') {
    const t = String(raw);
    if (!Number.isFinite(raw) || /e/i.test(t)) fail(`${show(raw)} is not a usable number`);
    return t;
  }
  if (typeof raw !== 'string') return fail(`${show(raw)} is not a number`);
  let t = raw.trim();
  t = unit === '$' ? t.replace(/^\$\s*/, '').replace(/\s*(usd|cpm)$/i, '') : t.replace(/\s*%$/, '');
  t = t.replace(/,/g, '').trim();
  if (/^\$?\d+(\.\d+)?\s*[-–]\s*\$?\d/.test(t)) fail(`${show(raw)} is a range; give one number`);
  const d = parseDecimal(t);
  if (!d) return fail(`${show(raw)} is not a number`);
  if (d.n < 0n) fail(`${show(raw)} must not be negative`);
  return t;
}

export const cpm: Parser<string> = (f) => {
  const t = decimalText(f.value, '$');
  if (parseDecimal(t)?.n === 0n) fail('the CPM target must be greater than 0 (an offer of $0 is never sent)');
  return t;
};

export const percent: Parser<string> = (f) => {
  const t = decimalText(f.value, '%');
  const d = parseDecimal(t) as { n: bigint; scale: number };
  if (d.n > 100n * 10n ** BigInt(d.scale)) fail(`${show(f.value)} is more than 100%`);
  return t;
};

export const money: Parser<string> = (f) => {
  const raw = f.value;
  if (typeof raw !== 'number' && typeof raw !== 'string') return fail(`${show(raw)} is not an amount`);
  if (typeof raw === 'string' && raw.includes('%')) fail(`${show(raw)} is a percentage, not an amount`);
  const read = moneyInput(raw, { allowZero: true }); // zero where it is refused: the campaign schema names it
  if ('error' in read) return fail(read.error);
  return formatMoney(read.cents);
};

export const count: Parser<number> = (f) => {
  const raw = f.value;
  const t = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.replace(/,/g, '').trim() : '';
  const d = parseDecimal(t);
  if (!d || d.n < 0n) return fail(`${show(raw)} is not a whole number`);
  const unit = 10n ** BigInt(d.scale);
  if (d.n % unit !== 0n) fail(`${show(raw)} is not a whole number`);
  const whole = Number(d.n / unit);
  if (!Number.isSafeInteger(whole)) fail(`${show(raw)} is too large`);
  return whole;
};

/** Duration labels, case-insensitive (D12): "30 Days", "30 days", "6 MONTHS", "1 Year", "Perpetual", "Not required". */
function durationOf(label: string): UsageDuration | null {
  const t = label.trim().toLowerCase().replace(/\s+/g, ' ');
  if (/^(not required|not needed|none|no|n\/a|na)$/.test(t)) return 'not_required';
  if (/^(perpetual|perpetuity|in perpetuity|forever|unlimited)$/.test(t)) return 'perpetual';
  const m = /^(\d+) ?(days?|months?|years?)$/.exec(t);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2][0];
  if (unit === 'd') return n === 30 ? 'days_30' : n === 60 ? 'days_60' : n === 90 ? 'days_90' : null;
  if (unit === 'm') return n === 6 ? 'months_6' : n === 12 ? 'year_1' : null;
  return n === 1 ? 'year_1' : null;
}
export const duration: Parser<UsageDuration> = (f) => {
  const label = labelsOf(f).join(', ');
  return (
    durationOf(label) ??
    fail(
      `${show(label)} is not a known duration (30 Days, 60 Days, 90 Days, 6 Months, 1 Year, Perpetual, Not required)`,
    )
  );
};

const OPTIMIZE = ['cpm', 'content_volume_usage_rights', 'balance'] as const;
export const optimize: Parser<(typeof OPTIMIZE)[number]> = (f) => {
  const label = labelsOf(f).join(' ');
  const key = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const found = OPTIMIZE.find((o) => o === key) ?? (key === 'balanced' ? 'balance' : undefined);
  return found ?? fail(`${show(label)} is not one of CPM, Content Volume & Usage Rights, Balance`);
};

const isoOf = (ms: unknown): string | null => {
  const n = typeof ms === 'number' ? ms : typeof ms === 'string' && /^-?\d+$/.test(ms.trim()) ? Number(ms) : Number.NaN;
  if (!Number.isSafeInteger(n)) return null;
  const d = new Date(n);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};
/** ClickUp dates are epoch milliseconds (as text); a {start, end} range becomes "<start> to <end>" (UTC ISO). */
export const date: Parser<string> = (f) => {
  const v = f.value;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const r = v as { start?: unknown; end?: unknown };
    const parts = [isoOf(r.start), isoOf(r.end)].filter((p): p is string => p != null);
    return parts.length ? parts.join(' to ') : fail(`cannot read the date ${show(v)}`);
  }
  return isoOf(v) ?? text(f);
};

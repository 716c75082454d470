/**
 * The targets of the benchmarks issue, each judged against what this run measured and set beside the raw
 * limit measured in the same run (as a ratio), with PASS/MISS and, for a miss, by how much.
 */

export interface Target {
  id: string;
  /** what is measured, e.g. "inbound events/s to durable commit" */
  what: string;
  /** 'min': measured must be >= goal; 'max': measured must be <= goal; 'info': reported, no goal */
  kind: 'min' | 'max' | 'info';
  goal: number;
  unit: string;
  measured: number;
  /** the raw limit measured in the same run that this number is compared with */
  raw?: { label: string; value: number; unit: string };
  /** measured ÷ raw, when raw is given (override for a ratio that needs another formula) */
  ratio?: number;
  /** how the goal is written, e.g. ">= 75% of raw" */
  goalText?: string;
  note?: string;
}

export interface Judged extends Target {
  verdict: 'PASS' | 'MISS' | 'INFO' | 'N/A';
  ratio?: number;
  missBy?: string;
}

const num = (v: number, unit: string) => {
  if (!Number.isFinite(v)) return 'n/a';
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  const text = v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return unit === '%' ? `${text} %` : `${text}${unit ? ` ${unit}` : ''}`;
};

export function judge(t: Target): Judged {
  const ratio = t.ratio ?? (t.raw?.value ? t.measured / t.raw.value : undefined);
  if (t.kind === 'info') return { ...t, ratio, verdict: 'INFO' };
  if (!Number.isFinite(t.measured)) return { ...t, ratio, verdict: 'N/A', missBy: 'not measured' };
  const pass = t.kind === 'min' ? t.measured >= t.goal : t.measured <= t.goal;
  if (pass) return { ...t, ratio, verdict: 'PASS' };
  const missBy =
    t.kind === 'min'
      ? `short by ${num(t.goal - t.measured, t.unit)}: reaches ${((100 * t.measured) / t.goal).toFixed(1)} % of the goal (needs ${(t.goal / t.measured).toFixed(1)}x)`
      : `over by ${num(t.measured - t.goal, t.unit)}: ${(t.measured / t.goal).toFixed(2)}x the goal`;
  return { ...t, ratio, verdict: 'MISS', missBy };
}

export function formatTargets(judged: Judged[]): { header: string[]; rows: string[][] } {
  const header = ['target', 'goal', 'measured', 'raw limit (same run)', 'measured ÷ raw', 'verdict', 'note'];
  const rows = judged.map((t) => [
    t.what,
    t.kind === 'info' ? '(report)' : (t.goalText ?? `${t.kind === 'min' ? '>=' : '<='} ${num(t.goal, t.unit)}`),
    num(t.measured, t.unit),
    t.raw ? `${t.raw.label}: ${num(t.raw.value, t.raw.unit)}` : '—',
    t.ratio === undefined || !Number.isFinite(t.ratio)
      ? '—'
      : t.ratio < 10
        ? `${(100 * t.ratio).toFixed(1)} %`
        : `${t.ratio.toFixed(0)}x`,
    t.verdict,
    [t.missBy, t.note].filter(Boolean).join('; '),
  ]);
  return { header, rows };
}

/** A plain-text table (column widths from the content); the last column is not padded. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join(' | ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(Math.max(3, w)))), ...rows.map(line)].join('\n');
}

/** The same table as Markdown (for README.md). */
export function markdownTable(header: string[], rows: string[][]): string {
  const esc = (c: string) => c.replaceAll('|', '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** The printed table and the machine description of bench/results.json. */
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';

export interface TableRow {
  section: string;
  metric: string;
  value: string;
  note?: string;
}

export function printTable(rows: TableRow[]): string {
  const widths = [
    Math.max(7, ...rows.map((r) => r.section.length)),
    Math.max(6, ...rows.map((r) => r.metric.length)),
    Math.max(5, ...rows.map((r) => r.value.length)),
  ];
  const line = (a: string, b: string, c: string, d: string) =>
    `${a.padEnd(widths[0])} | ${b.padEnd(widths[1])} | ${c.padStart(widths[2])} | ${d}`.trimEnd();
  const out = [
    line('section', 'metric', 'value', 'note'),
    line('-'.repeat(widths[0]), '-'.repeat(widths[1]), '-'.repeat(widths[2]), '----'),
  ];
  let last = '';
  for (const r of rows) {
    out.push(line(r.section === last ? '' : r.section, r.metric, r.value, r.note ?? ''));
    last = r.section;
  }
  return out.join('\n');
}

export function machine() {
  const cpus = os.cpus();
  let disk = 'unknown';
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((p) => p.length > 2 && os.tmpdir().startsWith(p[1]))
      .sort((a, b) => b[1].length - a[1].length);
    if (mounts[0]) {
      const [device, mountedOn, type] = mounts[0];
      const name = device.replace('/dev/', '');
      const rotational = `/sys/block/${name}/queue/rotational`;
      const kind = existsSync(rotational)
        ? readFileSync(rotational, 'utf8').trim() === '1'
          ? 'rotational'
          : 'non-rotational'
        : 'unknown type';
      const fs = statfsSync(mountedOn);
      const gib = (blocks: number) => ((blocks * fs.bsize) / 2 ** 30).toFixed(0);
      disk = `${device} (${type}, ${kind}, ${gib(fs.blocks)} GiB, ${gib(fs.bavail)} GiB free) mounted on ${mountedOn}`;
    }
  } catch {}
  return {
    os: `${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    tmpdir: os.tmpdir(),
    tmpFilesystem: disk,
  };
}

export const fmt = {
  n: (v: number, digits = 0) =>
    Number.isFinite(v)
      ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
      : 'n/a',
  ms: (v: number) =>
    Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ms` : 'n/a',
  mb: (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`,
  kb: (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`,
};

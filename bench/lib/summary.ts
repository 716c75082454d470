/** The end of a bench run: the table, the targets judged, the machine, the problems seen, and bench/results.json. */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { cleanup, ROOT } from './processes.ts';
import { type machine, printTable } from './report.ts';
import { formatTargets, type Judged, judge, markdownTable, textTable } from './targets.ts';
import { benchStarted, CFG, problems, results, rows, targets } from './common.ts';

export type Meta = {
  machine: ReturnType<typeof machine>;
  date: string;
  config: typeof CFG;
  loadAverageAtStart: number[];
};

export const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');

/** Prints the summary, writes bench/results.json and removes the temp dirs; a failed run exits with code 1. */
export function finish(meta: Meta, failure: unknown) {
  const m = meta.machine;
  const totalSeconds = (performance.now() - benchStarted) / 1000;
  const loadAverageAtEnd = loadavg();
  const table = printTable(rows);
  const judged: Judged[] = targets.map(judge);
  const t = formatTargets(judged);
  const missed = judged.filter((j) => j.verdict === 'MISS' || j.verdict === 'N/A');
  process.stdout.write(`\n${table}\n\nTargets (benchmarks issue), each beside the raw limit measured in this run:\n\n`);
  process.stdout.write(`${textTable(t.header, t.rows)}\n`);
  process.stdout.write(
    `\n${judged.filter((j) => j.verdict === 'PASS').length} PASS, ${missed.length} MISS, ${judged.filter((j) => j.verdict === 'INFO').length} reported\n`,
  );
  process.stdout.write(
    [
      '',
      'Agents run as child processes (node server/main.ts, sandbox mode, SQLITE_SYNCHRONOUS=FULL, ' +
        `LOG_LEVEL=${CFG.logLevel} to a file); the load generator is this process (node:http, keep-alive).`,
      `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}, node ${m.node}; temp files on ${m.tmpFilesystem}`,
      `Date: ${meta.date}; bench took ${totalSeconds.toFixed(1)} s; load average (1/5/15 min) at start ` +
        `${loads(meta.loadAverageAtStart)}, at end ${loads(loadAverageAtEnd)}`,
      '',
    ].join('\n'),
  );
  if (problems.length) process.stdout.write(`\nProblems seen:\n${problems.map((x) => `  - ${x}`).join('\n')}\n`);
  const out = join(ROOT, 'bench', 'results.json');
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        ...meta,
        loadAverageAtEnd,
        totalSeconds,
        failed: failure !== undefined,
        targets: judged,
        targetsMarkdown: markdownTable(t.header, t.rows),
        results,
        problems,
        table: rows,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nWrote ${out}\n`);
  cleanup();
  if (failure !== undefined) {
    process.stderr.write(`\nbench failed: ${failure instanceof Error ? failure.stack : String(failure)}\n`);
    process.exitCode = 1;
  }
}

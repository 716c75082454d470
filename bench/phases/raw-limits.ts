/**
 * Phase 1: raw limits: durable SQLite commits, node startup + module loading, a bare Koa route.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient, runLoad } from '../lib/http.ts';
import { freePort, ROOT, spawnNode, tempDir, waitReady } from '../lib/processes.ts';
import { rawCommits, shapedCommits } from '../lib/raw-sqlite.ts';
import { fmt } from '../lib/report.ts';
import { COUNTER_ASKS } from '../lib/scenarios.ts';
import { CFG, log, p, results, row } from '../lib/common.ts';
import { summary } from '../lib/agent.ts';

export async function rawLimits() {
  log('phase 1: raw limits');
  const dir = tempDir('bench-raw-');
  const full = rawCommits(dir, 'FULL', CFG.rawSeconds * 1000);
  const normal = rawCommits(dir, 'NORMAL', 1000);
  const shaped = await shapedCommits(dir, CFG.rawSeconds * 1000);
  results.rawSqlite = { full, normal, shaped };
  row(
    '1 raw limits',
    'SQLite durable commits/s (WAL, synchronous=FULL)',
    fmt.n(full.perSecond),
    `1-row INSERT per txn, ${full.commits} in ${full.seconds.toFixed(1)} s; p50 ${full.p50Us.toFixed(0)} µs, p99 ${full.p99Us.toFixed(0)} µs`,
  );
  row(
    '1 raw limits',
    'SQLite commits/s (WAL, synchronous=NORMAL)',
    fmt.n(normal.perSecond),
    `for reference (SQLITE_SYNCHRONOUS=NORMAL); p99 ${normal.p99Us.toFixed(0)} µs`,
  );

  row(
    '1 raw limits',
    'SQLite product-shaped durable commits/s (FULL)',
    fmt.n(shaped.perSecond),
    `real schema; 3 KB snapshot UPDATE + 1.2 KB timeline INSERT per txn; p50 ${shaped.p50Us.toFixed(0)} µs, p99 ${shaped.p99Us.toFixed(0)} µs`,
  );

  const startup = await nodeStartup(dir);
  results.nodeStartup = startup;
  row('1 raw limits', 'node startup: spawn -> exit of `node -e 0`', fmt.ms(startup.bareMs), 'median of 3');
  row(
    '1 raw limits',
    'node + import server/main.ts (no start)',
    fmt.ms(startup.importMs),
    'median of 3; module loading + type stripping, before startAgent runs',
  );
  row(
    '1 raw limits',
    'RSS of node + import server/main.ts (no start)',
    fmt.mb(startup.importMemory.rss),
    `after forced GC ${fmt.mb(startup.importMemory.rssAfterGc)}, V8 heap used ${fmt.mb(startup.importMemory.heapUsedAfterGc)}: the modules alone`,
  );

  const port = await freePort();
  const child = await spawnNode({
    script: join(ROOT, 'bench', 'koa-bare.ts'),
    cwd: dir,
    logFile: join(dir, 'koa.log'),
    port,
    env: { PORT: String(port) },
  });
  await waitReady(child, '/');
  const client = createClient(child.url, CFG.concurrency);
  const body = (i: number) => ({
    from: 'creator@creators.example',
    threadId: '0123456789abcdef',
    text: COUNTER_ASKS[0],
    messageId: `<bare-${i}@creators.example>`,
  });
  await runLoad({
    client,
    concurrency: CFG.concurrency,
    durationMs: 500,
    make: (i) => ({ method: 'POST', path: '/x', body: body(i) }),
  });
  const load = await runLoad({
    client,
    concurrency: CFG.concurrency,
    durationMs: CFG.httpSeconds * 1000,
    make: (i) => ({ method: 'POST', path: '/sandbox/mail', body: body(i) }),
  });
  client.close();
  await child.stop();
  results.bareKoa = summary(load);
  row(
    '1 raw limits',
    'bare Koa POST (JSON body -> 202) req/s',
    fmt.n(load.perSecond),
    `child process, ${CFG.concurrency} keep-alive conns; p50 ${fmt.ms(p(load.latenciesMs, 50))}, p99 ${fmt.ms(p(load.latenciesMs, 99))}, errors ${load.errors}`,
  );
  return { full, shaped, load, startup };
}

export async function nodeStartup(dir: string) {
  const time = async (args: string[]) => {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const code = await new Promise<number | null>((res) => {
        const c = spawn(process.execPath, args, { cwd: dir, stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } });
        c.once('exit', res);
      });
      if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}`);
      samples.push(performance.now() - t0);
    }
    return p(samples, 50);
  };
  const mainUrl = pathToFileURL(join(ROOT, 'server', 'main.ts')).href;
  // The memory floor: RSS once the agent's modules are loaded (nothing started), before and after a full GC.
  const memory = await new Promise<{ rss: number; rssAfterGc: number; heapUsedAfterGc: number }>((res, rej) => {
    const script = `await import(${JSON.stringify(mainUrl)}); const rss = process.memoryUsage().rss; gc(); gc();
      const m = process.memoryUsage(); process.stdout.write(JSON.stringify({ rss, rssAfterGc: m.rss, heapUsedAfterGc: m.heapUsed }));`;
    const c = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { PATH: process.env.PATH ?? '' },
    });
    let out = '';
    c.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    c.once('exit', (code) => (code === 0 ? res(JSON.parse(out)) : rej(new Error(`import for RSS exited ${code}`))));
  });
  return {
    bareMs: await time(['-e', '0']),
    importMs: await time(['--input-type=module', '-e', `await import(${JSON.stringify(mainUrl)})`]),
    importMemory: memory,
  };
}

export type Raw = Awaited<ReturnType<typeof rawLimits>>;

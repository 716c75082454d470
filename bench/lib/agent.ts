/**
 * Starting and stopping an agent child process, and waiting on it.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Client, createClient, type runLoad } from './http.ts';
import { type Child, freePort, ROOT, readLog, spawnNode, vmRss, waitReady } from './processes.ts';
import { CFG, p, problems, sleep } from './common.ts';

export async function startAgent(
  dataDir: string,
  label: string,
  extraEnv: Record<string, string> = {},
): Promise<{ child: Child; client: Client; bootMs: number }> {
  const port = await freePort();
  const child = await spawnNode({
    script: join(ROOT, 'server', 'main.ts'),
    cwd: dataDir, // no .env from the repository
    logFile: join(dataDir, `${label}.log`),
    port,
    env: {
      AGENT_MODE: 'sandbox',
      DATA_DIR: join(dataDir, 'data'),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: CFG.logLevel,
      SHEETS_DIR: join(dataDir, 'sheets'),
      ...extraEnv,
    },
  });
  const readyAt = await waitReady(child);
  return { child, client: createClient(child.url, 64), bootMs: readyAt - child.spawnedAt };
}

export async function stopAgent(child: Child, client: Client, label: string) {
  client.close();
  const stopped = await child.stop();
  const { problems: logged } = readLog(child.logFile);
  if (stopped.code !== 0) problems.push(`${label}: agent exited with code ${stopped.code} signal ${stopped.signal}`);
  for (const line of logged.slice(0, 5)) problems.push(`${label} log: ${line}`);
  if (logged.length > 5) problems.push(`${label} log: ... ${logged.length - 5} more warn/error lines`);
  return { ...stopped, warnLines: logged.length };
}

export function openReadOnly(file: string) {
  return new Database(file, { readonly: true, fileMustExist: true });
}

export async function until<T>(
  what: string,
  check: () => T | undefined | false,
  timeoutMs: number,
  everyMs = 5,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** RSS once ready and after 1 s idle; "after boot" is the larger of the two. */
export async function bootRss(child: Child) {
  const ready = vmRss(child.pid);
  await sleep(1000);
  const idle = vmRss(child.pid);
  const gc = await child.gcMemory();
  return { ready, idle, afterBoot: Math.max(ready, idle), gc };
}

export function summary(load: Awaited<ReturnType<typeof runLoad>>) {
  return {
    requests: load.requests,
    errors: load.errors,
    statuses: load.statuses,
    seconds: load.seconds,
    perSecond: load.perSecond,
    p50Ms: p(load.latenciesMs, 50),
    p95Ms: p(load.latenciesMs, 95),
    p99Ms: p(load.latenciesMs, 99),
    maxMs: Math.max(...load.latenciesMs),
  };
}

/** Every actor idle (nothing busy, nothing pending in the inbox): the next measurement starts clean. */
export async function quiet(agentDb: Database.Database, what: string) {
  const busy = agentDb.prepare('SELECT COUNT(*) FROM negotiations WHERE busy = 1 AND failure IS NULL').pluck();
  const pending = agentDb.prepare('SELECT COUNT(*) FROM inbox WHERE taken_at IS NULL AND failed IS NULL').pluck();
  const t0 = performance.now();
  await until(`${what}: agent idle`, () => busy.get() === 0 && pending.get() === 0, 180_000, 20);
  return (performance.now() - t0) / 1000;
}

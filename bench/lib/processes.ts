/**
 * Child processes and temp dirs of the bench: everything started here is killed (by pid) and every temp dir
 * removed when the bench exits, fails or is interrupted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
let cleaned = false;

export function cleanup(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }
  }
  children.clear();
  if (process.env.BENCH_KEEP_TMP) return;
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

export function installCleanup(): void {
  process.on('exit', () => {
    if (!cleaned) cleanup();
    cleaned = true;
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`\nbench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    process.stderr.write(`\nbench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  url: string;
  logFile: string;
  spawnedAt: number; // performance.now() just before spawn
  /** Asks the child (bench/child-hooks.ts) for a full GC and its memory numbers afterwards. */
  gcMemory(): Promise<{ rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number }>;
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: string | null; ms: number }>;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

/**
 * Spawns `node <script>` with a clean environment, stdout/stderr to a log file, and bench/child-hooks.ts
 * preloaded (an IPC handler for forced GC + memory readings; it does nothing else).
 */
export async function spawnNode(opts: {
  script: string;
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  port: number;
}): Promise<Child> {
  const out = openSync(opts.logFile, 'a');
  const spawnedAt = performance.now();
  const proc = spawn(
    process.execPath,
    [
      // BENCH_NODE_ARGS adds node flags to every child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--expose-gc',
      '--import',
      join(ROOT, 'bench', 'child-hooks.ts'),
      opts.script,
    ],
    {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
      stdio: ['ignore', out, out, 'ipc'],
    },
  );
  closeSync(out);
  children.add(proc);
  const exited = new Promise<{ code: number | null; signal: string | null }>((res) => {
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      res({ code, signal });
    });
  });
  if (!proc.pid) throw new Error(`could not spawn ${opts.script}`);
  let seq = 0;
  const waiting = new Map<number, (m: never) => void>();
  proc.on('message', (m: { id: number }) => {
    waiting.get(m.id)?.(m as never);
    waiting.delete(m.id);
  });
  return {
    proc,
    pid: proc.pid,
    url: `http://127.0.0.1:${opts.port}`,
    logFile: opts.logFile,
    spawnedAt,
    exited,
    gcMemory() {
      const id = ++seq;
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error('child did not answer the gc request')), 10_000);
        waiting.set(id, (m: never) => {
          clearTimeout(timer);
          res(m);
        });
        proc.send({ type: 'gc', id });
      });
    },
    async stop(timeoutMs = 15_000) {
      const t0 = performance.now();
      if (proc.exitCode !== null || proc.signalCode !== null) return { ...(await exited), ms: 0 };
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, ms: performance.now() - t0 };
    },
  };
}

/** Polls GET <path> until it answers 200; returns performance.now() at that moment. */
export async function waitReady(child: Child, path = '/ready', timeoutMs = 30_000): Promise<number> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) {
      throw new Error(`child exited before it was ready; log:\n${tail(child.logFile)}`);
    }
    try {
      const res = await fetch(`${child.url}${path}`);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now();
    } catch {}
    if (performance.now() > until) throw new Error(`not ready after ${timeoutMs} ms; log:\n${tail(child.logFile)}`);
    await new Promise((r) => setTimeout(r, 3));
  }
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** VmRSS of a process in bytes (from /proc/<pid>/status). */
export function vmRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** Log lines of a child at level warn or error (JSON logs), and the parsed "agent ready" line if any. */
export function readLog(file: string): { problems: string[]; ready: Record<string, unknown>[] } {
  const problems: string[] = [];
  const ready: Record<string, unknown>[] = [];
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { problems, ready };
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.message === 'agent ready') ready.push(entry);
      if (entry.level === 'warn' || entry.level === 'error') problems.push(line.slice(0, 400));
    } catch {
      problems.push(line.slice(0, 400));
    }
  }
  return { problems, ready };
}

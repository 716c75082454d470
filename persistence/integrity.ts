/**
 * PRAGMA quick_check of agent.db at every start (decisions D18). It reads the whole file (about 0.3 s per 400 MB),
 * so a database up to INLINE_CHECK_MAX_BYTES is checked before the agent starts and a damaged one stops the start;
 * a larger one is checked in a worker thread on its own read-only connection while the agent runs, and damage
 * found there is reported (GET /ready, the log, Slack) instead of delaying every start by seconds.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './db.ts';

export const INLINE_CHECK_MAX_BYTES = 256 * 1024 * 1024;

/** What quick_check found (at most five problems), or null when the file is sound. */
export function quickCheck(db: Db): string | null {
  const rows = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check);
  return rows.join() === 'ok' ? null : `PRAGMA quick_check: ${rows.join('; ')}`;
}

export function databaseBytes(db: Db): number {
  return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
}

const CHECK_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.sqlite);
let result;
try {
  const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  const rows = db.pragma('quick_check(5)').map((r) => r.quick_check);
  db.close();
  result = rows.join() === 'ok' ? null : 'PRAGMA quick_check: ' + rows.join('; ');
} catch (error) {
  result = (error.code ? error.code + ': ' : '') + error.message;
}
parentPort.postMessage(result);
`;

/** The same check in a worker thread (the agent's event loop stays free); resolves with what it found. */
export function quickCheckInBackground(file: string): { result: Promise<string | null>; stop(): void } {
  const worker = new Worker(CHECK_WORKER, {
    eval: true,
    workerData: { sqlite: createRequire(import.meta.url).resolve('better-sqlite3'), file },
  });
  worker.unref();
  const result = new Promise<string | null>((resolve) => {
    worker.once('message', (found: string | null) => resolve(found));
    worker.once('error', () => resolve(null)); // a check that could not run is no finding
  });
  return { result, stop: () => void worker.terminate() };
}

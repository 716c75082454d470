/**
 * The db_lock fault's lock holder (see faults.ts), run in a worker thread: in the agent's own thread its COMMIT
 * timer could never fire while the agent's connection waits (synchronously) for the lock. It touches nothing but
 * agent.db (a lock, no writes) and reports each lock to the agent's thread, which logs it on its own sandbox.db
 * connection (so the fault log adds no lock contention of its own).
 */
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { seededRandom } from './random.ts';

export interface LockWorkerData {
  agentDb: string;
  holdMs: number;
  everyMs: number;
  seed: number;
}

const { agentDb, holdMs, everyMs, seed } = workerData as LockWorkerData;
const random = seededRandom(seed);
const cell = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(cell, 0, 0, Math.max(1, Math.round(ms)));

let db: Database.Database | null = null;
for (;;) {
  sleep(everyMs * (0.5 + random()));
  try {
    if (!db) {
      if (!existsSync(agentDb)) continue;
      db = new Database(agentDb, { timeout: 5000 });
    }
    db.exec('BEGIN EXCLUSIVE');
    const locked = Date.now();
    sleep(holdMs);
    db.exec('COMMIT');
    parentPort?.postMessage(`${Date.now() - locked}ms`);
  } catch {
    try {
      if (db?.inTransaction) db.exec('ROLLBACK');
    } catch {}
  }
}

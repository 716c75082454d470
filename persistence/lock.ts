/**
 * One writer per data directory (decisions D17). The lock is an exclusive SQLite lock (a POSIX advisory lock
 * underneath) on `agent.lock`, held by a connection that stays open for the process's lifetime: the operating
 * system drops it when the process ends, however it ends (`kill -9` included), so there is no stale lock to
 * guess about. `agent.owner.json` beside it names the holder (pid, host, start time) for the refusal message.
 * Read-only tools (npm run audit, the bench) open agent.db, never the lock, and keep working while an agent runs.
 *
 * Never open or close `agent.lock` with other file APIs in this process: closing any descriptor of a file
 * releases the process's POSIX locks on it (SQLite itself guards against that for its own connections).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export class DataDirInUseError extends Error {}

export interface DataDirLock {
  release(): void;
}

interface Owner {
  pid: number;
  host: string;
  startedAt: string;
}

export function lockDataDir(dir: string): DataDirLock {
  mkdirSync(dir, { recursive: true });
  const ownerFile = join(dir, 'agent.owner.json');
  const lockFile = join(dir, 'agent.lock');
  let lock: Database.Database | undefined;
  try {
    lock = new Database(lockFile, { timeout: 0 });
    lock.pragma('locking_mode = EXCLUSIVE'); // never released until the connection closes
    lock.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS lock (id INTEGER PRIMARY KEY); COMMIT');
  } catch (error) {
    lock?.close();
    if ((error as { code?: string }).code !== 'SQLITE_BUSY')
      throw new Error(`Cannot lock ${lockFile}: ${(error as Error).message}`, { cause: error });
    throw new DataDirInUseError(
      `DATA_DIR ${dir} is in use by another running agent (${describe(ownerFile)}). ` +
        'Only one agent may write to a data directory: stop the other one, or give this one its own DATA_DIR.',
    );
  }
  const owner: Owner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const temp = `${ownerFile}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(owner)}\n`);
  renameSync(temp, ownerFile);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      rmSync(ownerFile, { force: true });
      lock?.close();
    },
  };
}

function describe(ownerFile: string): string {
  try {
    const owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as Owner;
    return `pid ${owner.pid} on host ${owner.host}, started ${owner.startedAt}`;
  } catch {
    return 'its pid and host are not recorded yet';
  }
}

/**
 * What the backup and restore commands share: where the agent's database is, whether a file is a sound agent
 * database (and what it holds), whether another process has a database open, and the copy itself.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { parse as parseDotenv } from 'dotenv';
import { openDatabase } from '../persistence/db.ts';

/** Tables every agent database has (persistence/db.ts). */
const AGENT_TABLES = ['campaigns', 'negotiations', 'timeline', 'inbox', 'effects'];

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** $DATA_DIR/agent.db like `npm start` finds it: the environment first, then `.env`, else ./data. */
export function defaultDatabase(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const dotenv = resolve(cwd, '.env');
  const fromFile = existsSync(dotenv) ? parseDotenv(readFileSync(dotenv)) : {};
  const dataDir = env.DATA_DIR?.trim() || fromFile.DATA_DIR?.trim() || './data';
  return resolve(cwd, dataDir, 'agent.db');
}

export interface AgentDatabaseSummary {
  schemaVersion: number;
  negotiations: number;
  timeline: number;
  journal: number;
  inbox: number;
  campaigns: number;
  bytes: number;
}

/** The schema version this build writes (the number of its migrations). */
export function buildSchemaVersion(): number {
  const db = openDatabase(':memory:');
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

/**
 * Opens `file` read-only and checks it is a whole agent database this build can run: the agent's tables, SQLite's
 * integrity check (every page read; skipped for a live source, whose copy is checked), a schema no newer than this
 * build's. Throws a CliError saying what is wrong.
 */
export function inspectAgentDatabase(file: string, checkIntegrity = true): AgentDatabaseSummary {
  if (!existsSync(file)) throw new CliError(`${file} does not exist`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new CliError(`${file} cannot be opened as a SQLite database: ${(error as Error).message}`);
  }
  try {
    let tables: Set<unknown>;
    try {
      tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all());
    } catch (error) {
      throw new CliError(`${file} is not a readable SQLite database: ${(error as Error).message}`);
    }
    const missing = AGENT_TABLES.filter((t) => !tables.has(t));
    if (missing.length) throw new CliError(`${file} is not an agent database (no ${missing.join(', ')} table)`);
    if (checkIntegrity) {
      const problems = db.prepare('PRAGMA integrity_check').pluck().all() as string[];
      if (problems.join() !== 'ok') {
        throw new CliError(`${file} is damaged (SQLite integrity check): ${problems.slice(0, 5).join('; ')}`);
      }
    }
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const supported = buildSchemaVersion();
    if (schemaVersion > supported) {
      throw new CliError(
        `${file} has schema version ${schemaVersion}, newer than this build's ${supported}: use the agent version that wrote it`,
      );
    }
    const count = (table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
    return {
      schemaVersion,
      negotiations: count('negotiations'),
      timeline: count('timeline'),
      journal: count('effects'),
      inbox: count('inbox'),
      campaigns: count('campaigns'),
      bytes: statSync(file).size,
    };
  } finally {
    db.close();
  }
}

/**
 * Takes `file` for this process alone, or throws: leaving WAL mode needs every other connection closed, so it
 * fails at once (SQLITE_BUSY) while an agent, a backup or the audit command has the database open — whatever
 * lock the agent itself holds in DATA_DIR. On success the caller holds an exclusive lock until it closes the
 * returned connection, so no agent can start on the file meanwhile.
 */
export function takeExclusively(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    const mode = db.pragma('journal_mode = DELETE', { simple: true });
    if (mode !== 'delete') throw Object.assign(new Error(`journal mode stayed ${mode}`), { code: 'SQLITE_BUSY' });
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new CliError(
        `${file} is in use by another process (a running agent, a backup or the audit command). ` +
          'Stop the agent first (Ctrl-C, or `docker-compose stop agent`), then run the restore again.',
        3,
      );
    }
    throw error;
  }
}

/**
 * Copies the database at `from` into the new file `to` with SQLite's online backup API: a consistent snapshot
 * even while an agent writes (WAL: the writer is never blocked). After the first step, the rest is copied in one
 * step, so a busy writer cannot make the copy start over indefinitely. The copy is a single self-contained file
 * (rollback journal, no -wal beside it), flushed to disk.
 */
export async function copyDatabase(from: string, to: string): Promise<void> {
  const source = new Database(from, { readonly: true, fileMustExist: true });
  try {
    await source.backup(to, { progress: ({ remainingPages }) => Math.max(remainingPages, 100) });
  } finally {
    source.close();
  }
  const copy = new Database(to, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  fsyncPath(to);
  fsyncPath(dirname(to));
}

export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export const sidecars = (file: string) => [`${file}-wal`, `${file}-shm`, `${file}-journal`];

export function describe(summary: AgentDatabaseSummary): string {
  const mb = (summary.bytes / 1e6).toFixed(1);
  return (
    `${summary.campaigns} campaigns, ${summary.negotiations} negotiations, ${summary.timeline} timeline entries, ` +
    `${summary.journal} journal entries, ${summary.inbox} inbox messages; schema v${summary.schemaVersion}, ${mb} MB`
  );
}

export const timestamp = (date = new Date()) => date.toISOString().replace(/[:.]/g, '-');

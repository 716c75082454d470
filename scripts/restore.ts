/**
 * Puts a backup back as the agent's database, after checking it:
 *
 *   npm run restore -- backups/agent-2026-12-01.db [--db PATH]
 *
 * The backup must pass SQLite's integrity check, be an agent database (its tables) and have a schema this build
 * can run. The agent must be stopped: a database another process has open (a running agent, a backup, the audit
 * command) is refused, detected by SQLite itself, and the restore holds the file exclusively while it works, so an
 * agent cannot start on it halfway. The database it replaces is kept beside it as
 * agent.db.before-restore-<time>. Exit codes: 0 done, 1 the backup or the target is unusable, 2 wrong
 * arguments, 3 the database is in use.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type Database from 'better-sqlite3';
import {
  CliError,
  copyDatabase,
  defaultDatabase,
  describe,
  fsyncPath,
  inspectAgentDatabase,
  sidecars,
  takeExclusively,
  timestamp,
} from './sqlite-file.ts';

const USAGE = `Usage: npm run restore -- FILE [--db PATH]

  FILE         the backup (from npm run backup)
  --db PATH    the database to replace (default: $DATA_DIR/agent.db, else ./data/agent.db); stop the agent first`;

export async function restore(argv: string[], env = process.env, cwd = process.cwd()): Promise<string> {
  let parsed: { values: { db?: string; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { db: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  if (parsed.values.help) return USAGE;
  if (parsed.positionals.length !== 1) throw new CliError(`give exactly one backup FILE\n\n${USAGE}`, 2);
  const backupFile = resolve(cwd, parsed.positionals[0]);
  const target = parsed.values.db ? resolve(cwd, parsed.values.db) : defaultDatabase(env, cwd);
  if (backupFile === target) throw new CliError('the backup and the database to replace are the same file', 2);

  const summary = inspectAgentDatabase(backupFile);
  mkdirSync(dirname(target), { recursive: true });
  // Held until the new file is in place: refuses a running agent, and keeps one from starting meanwhile.
  const held: Database.Database | null = existsSync(target) ? takeExclusively(target) : null;
  const incoming = `${target}.restoring-${process.pid}`;
  let kept: string | null = null;
  try {
    await copyDatabase(backupFile, incoming);
    inspectAgentDatabase(incoming);
    if (held) {
      kept = `${target}.before-restore-${timestamp()}`;
      renameSync(target, kept);
    }
    for (const file of sidecars(target)) rmSync(file, { force: true });
    renameSync(incoming, target);
    fsyncPath(dirname(target));
  } finally {
    held?.close();
    for (const file of [incoming, ...sidecars(incoming)]) rmSync(file, { force: true });
  }
  return [
    `restored ${backupFile} to ${target}: ${describe(summary)}`,
    kept ? `the database it replaced is kept as ${kept}` : 'there was no database there before',
    'start the agent (npm start, or docker-compose start agent)',
  ].join('\n');
}

if (import.meta.main) {
  try {
    process.stdout.write(`${await restore(process.argv.slice(2))}\n`);
  } catch (error) {
    process.stderr.write(`restore: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  }
}

/**
 * A consistent copy of the agent's database while the agent runs (SQLite's online backup API):
 *
 *   npm run backup -- --to backups/agent-2026-12-01.db [--db PATH]
 *   docker-compose exec agent node scripts/backup.ts --to /app/data/backups/agent.db     (in the container)
 *
 * The database is $DATA_DIR/agent.db (the environment, then .env, else ./data) unless --db is given. It is read
 * through a read-only connection; the agent keeps writing meanwhile. The copy is written beside the target,
 * checked (integrity, agent tables) and only then renamed into place, so FILE is either a whole backup or absent.
 * An existing FILE is never overwritten. Exit codes: 0 done, 1 failed, 2 wrong arguments.
 * sandbox.db (the sandbox's stand-in mailbox and Slack) is not part of the agent's data and is not copied.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CliError,
  copyDatabase,
  defaultDatabase,
  describe,
  fsyncPath,
  inspectAgentDatabase,
  sidecars,
} from './sqlite-file.ts';

const USAGE = `Usage: npm run backup -- --to FILE [--db PATH]

  --to FILE    where to write the backup (a new file; its directory is created)
  --db PATH    the database to back up (default: $DATA_DIR/agent.db, else ./data/agent.db)`;

export async function backup(argv: string[], env = process.env, cwd = process.cwd()): Promise<string> {
  let values: { to?: string; db?: string; help?: boolean };
  try {
    values = parseArgs({
      args: argv,
      options: { to: { type: 'string' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  if (values.help) return USAGE;
  if (!values.to?.trim()) throw new CliError(`--to FILE is required\n\n${USAGE}`, 2);
  const source = values.db ? resolve(cwd, values.db) : defaultDatabase(env, cwd);
  const target = resolve(cwd, values.to);
  if (!existsSync(source)) throw new CliError(`no database at ${source} (give --db PATH or set DATA_DIR)`);
  if (existsSync(target)) throw new CliError(`${target} already exists; choose a new file name`);
  inspectAgentDatabase(source, false); // an agent database at all; the copy gets the full check

  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  const started = performance.now();
  try {
    await copyDatabase(source, partial);
    const summary = inspectAgentDatabase(partial);
    renameSync(partial, target);
    fsyncPath(dirname(target));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return `backed up ${source} to ${target} in ${seconds} s: ${describe(summary)}`;
  } finally {
    for (const file of [partial, ...sidecars(partial)]) rmSync(file, { force: true });
  }
}

if (import.meta.main) {
  try {
    process.stdout.write(`${await backup(process.argv.slice(2))}\n`);
  } catch (error) {
    process.stderr.write(`backup: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  }
}

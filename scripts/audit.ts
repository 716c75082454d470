/**
 * The audit trail from the command line (decisions D14; slack-ops.md §3.4), read-only:
 *
 *   npm run audit -- --influencer jane@example.com --campaign camp_1 --from 2026-01-01 --to 2026-02-01 \
 *     --event email_sent,escalation [--last 7d] [--limit 50] [--json] [--db PATH]
 *
 * The database is $DATA_DIR/agent.db (default ./data/agent.db) unless --db is given; it is opened read-only, so it
 * is safe while the service runs and a mistyped path is an error, never a new empty database. Exit codes: 0 done
 * (also when nothing matches), 1 the database cannot be read, 2 wrong arguments.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import {
  AUDIT_EVENT_TYPES,
  type AuditFilter,
  AuditUsageError,
  countAudit,
  DEFAULT_AUDIT_LIMIT,
  influencerEmails,
  MAX_AUDIT_LIMIT,
  normalizeAuditFilter,
  parseDuration,
  parseEventTypes,
  queryAudit,
} from '../persistence/audit.ts';
import { formatAuditTable } from '../services/audit-text.ts';

export const CLI_USAGE = `Usage: npm run audit -- [options]   (or: node scripts/audit.ts [options])

Filters (all optional, combined with AND; newest entries first):
  --influencer X     an email (any case) or the influencer's name (exact, any case)
  --campaign ID      a campaign id
  --from DATE        from this day (YYYY-MM-DD, UTC) or ISO date-time with a zone, inclusive
  --to DATE          to the end of this day (YYYY-MM-DD, UTC) or ISO date-time with a zone, inclusive
  --last 7d|24h      the last N days or hours (instead of --from)
  --event A,B        event types: ${AUDIT_EVENT_TYPES.join(', ')}
  --limit N          at most N entries (default ${DEFAULT_AUDIT_LIMIT}, up to ${MAX_AUDIT_LIMIT})

Output:
  --json             JSON array (email bodies included) instead of a table
  --db PATH          the database (default: $DATA_DIR/agent.db, else ./data/agent.db)
  --help             this text`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const OPTIONS = {
  influencer: { type: 'string' },
  campaign: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  last: { type: 'string' },
  event: { type: 'string', multiple: true },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usage(message: string): CliResult {
  return { code: 2, stdout: '', stderr: `audit: ${message}\n\n${CLI_USAGE}\n` };
}

/** Runs the CLI on `argv` (without node and the script) and returns what to print and the exit code. */
export function runAuditCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  options: { cwd?: string; now?: number } = {},
): CliResult {
  const parse = () => parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse().values;
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { code: 0, stdout: `${CLI_USAGE}\n`, stderr: '' };

  let filter: AuditFilter;
  try {
    filter = { limit: DEFAULT_AUDIT_LIMIT };
    for (const key of ['influencer', 'campaign', 'from', 'to', 'last', 'limit', 'db'] as const) {
      if (values[key] !== undefined && !values[key].trim()) throw new AuditUsageError(`--${key} needs a value`);
    }
    if (values.influencer) filter.influencer = values.influencer;
    if (values.campaign) filter.campaign = values.campaign;
    if (values.last && values.from) throw new AuditUsageError('give either --last or --from, not both');
    if (values.last) filter.from = parseDuration(values.last, options.now ?? Date.now());
    else if (values.from) filter.from = values.from;
    if (values.to) filter.to = values.to;
    if (values.event) filter.event = parseEventTypes(values.event);
    if (values.limit) {
      if (!/^\d+$/.test(values.limit.trim()))
        throw new AuditUsageError(`--limit must be a whole number, not "${values.limit}"`);
      filter.limit = Number(values.limit.trim());
    }
    filter = normalizeAuditFilter(filter);
  } catch (error) {
    if (error instanceof AuditUsageError) return usage(error.message);
    throw error;
  }

  const cwd = options.cwd ?? process.cwd();
  const file = resolve(cwd, values.db ?? join(env.DATA_DIR?.trim() || './data', 'agent.db'));
  if (!existsSync(file)) {
    return { code: 1, stdout: '', stderr: `audit: no database at ${file} (give --db PATH or set DATA_DIR)\n` };
  }
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('timeline', 'negotiations')")
      .pluck()
      .all();
    if (tables.length < 2) {
      return { code: 1, stdout: '', stderr: `audit: ${file} is not an agent database (no timeline table)\n` };
    }
    const notes: string[] = [];
    if (filter.influencer && !influencerEmails(db, filter.influencer).length) {
      notes.push(
        `audit: no influencer named "${filter.influencer}" (a name must match exactly, ignoring case; or give the email)`,
      );
    }
    const entries = queryAudit(db, filter);
    const stdout = values.json ? `${JSON.stringify(entries, null, 2)}\n` : `${formatAuditTable(entries)}\n`;
    const total = entries.length === filter.limit ? countAudit(db, filter) : entries.length;
    const more = total > entries.length ? [`audit: showing ${entries.length} of ${total} entries (use --limit)`] : [];
    const stderr = [...notes, ...more].map((l) => `${l}\n`).join('');
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (error instanceof AuditUsageError) return usage(error.message);
    return {
      code: 1,
      stdout: '',
      stderr: `audit: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`,
    };
  } finally {
    db?.close();
  }
}

if (import.meta.main) {
  const result = runAuditCli(process.argv.slice(2));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
}

/**
 * The sandbox's outside world — mailbox, Slack stand-in, clock offset — in its own SQLite file, apart from the
 * agent's database, so a crash between "the mailbox accepted the email" and "the agent recorded it" is real.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type SandboxDb = Database.Database;

export function openSandboxDb(file: string): SandboxDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // The stand-in for the outside world: a killed process loses nothing with WAL + NORMAL; only a power cut
  // could, and that is not a failure of the agent's own database (which stays FULL).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS mail (
      history_id INTEGER PRIMARY KEY AUTOINCREMENT,
      message_id TEXT NOT NULL UNIQUE,
      thread_id TEXT NOT NULL,
      direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      from_addr TEXT NOT NULL,
      to_addr TEXT NOT NULL,
      subject TEXT NOT NULL,
      text TEXT NOT NULL,
      in_reply_to TEXT,
      refs TEXT NOT NULL DEFAULT '[]',
      at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS mail_thread ON mail(thread_id, history_id);
    CREATE TABLE IF NOT EXISTS slack (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      ts TEXT NOT NULL UNIQUE,
      key TEXT NOT NULL UNIQUE,
      channel TEXT NOT NULL,
      text TEXT NOT NULL,
      blocks TEXT NOT NULL,
      negotiation_id TEXT,
      kind TEXT NOT NULL,
      thread_ts TEXT,
      at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `);
  // Added later: the HTML part of sent mail (decisions D19); a mailbox from before gets the column.
  const mailColumns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('mail');
  if (!mailColumns.includes('html')) db.exec('ALTER TABLE mail ADD COLUMN html TEXT');
  // Added later: the whole message as it was delivered (POST /sandbox/mail with `raw`), kept for the audit like Gmail's.
  if (!mailColumns.includes('raw')) db.exec('ALTER TABLE mail ADD COLUMN raw TEXT');
  return db;
}

/** Opens the agent's SQLite database (WAL, durable commits) and applies versioned migrations. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { databaseBytes, INLINE_CHECK_MAX_BYTES, quickCheck } from './integrity.ts';

export type Db = Database.Database;

/** Each entry upgrades the schema by one version (PRAGMA user_version). Never edit a released entry. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    client TEXT NOT NULL,
    definition TEXT NOT NULL,            -- normalized campaign JSON (money as decimal strings)
    created_at TEXT NOT NULL
  );
  CREATE TABLE negotiations (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    influencer_email TEXT NOT NULL,      -- lower-cased
    influencer_name TEXT NOT NULL,
    platform TEXT NOT NULL,
    average_views INTEGER NOT NULL,
    agency TEXT,
    thread_id TEXT UNIQUE,
    state TEXT NOT NULL,                 -- domain state
    busy INTEGER NOT NULL DEFAULT 0,     -- an effect is in flight: restore at boot
    human_controlled INTEGER NOT NULL DEFAULT 0,
    round INTEGER NOT NULL DEFAULT 0,
    last_offer_cents INTEGER,
    their_ask_cents INTEGER,
    agreed_cents INTEGER,
    agreed_cpm_cents INTEGER,
    next_deadline_at INTEGER,            -- epoch ms of the next follow-up/stale timeout
    failure TEXT,                        -- set when the actor failed repeatedly and was parked
    machine_version INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (campaign_id, influencer_email)
  );
  CREATE INDEX negotiations_campaign_state ON negotiations(campaign_id, state);
  CREATE INDEX negotiations_state ON negotiations(state);
  CREATE INDEX negotiations_email ON negotiations(influencer_email);
  CREATE INDEX negotiations_agency ON negotiations(agency COLLATE NOCASE) WHERE agency IS NOT NULL;
  CREATE INDEX negotiations_deadline ON negotiations(next_deadline_at) WHERE next_deadline_at IS NOT NULL;
  CREATE INDEX negotiations_busy ON negotiations(busy) WHERE busy = 1;

  -- Append-only audit trail (decisions D14).
  CREATE TABLE timeline (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    negotiation_id TEXT,
    campaign_id TEXT,
    influencer_email TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX timeline_negotiation ON timeline(negotiation_id, id);
  CREATE INDEX timeline_campaign ON timeline(campaign_id, at);
  CREATE INDEX timeline_influencer ON timeline(influencer_email, at);
  CREATE INDEX timeline_type ON timeline(type, at);
  CREATE INDEX timeline_at ON timeline(at);
  CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;
  CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline BEGIN SELECT RAISE(ABORT, 'timeline is append-only'); END;

  -- Durable inbox: an inbound message is stored here before it is acknowledged (decisions D9).
  CREATE TABLE inbox (
    message_id TEXT PRIMARY KEY,
    negotiation_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    from_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    received_at TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    taken_at TEXT,                       -- set in the transaction that persisted the actor taking it
    failed TEXT                          -- dead letter: why it could not be delivered
  );
  CREATE INDEX inbox_pending ON inbox(stored_at) WHERE taken_at IS NULL AND failed IS NULL;

  -- Effect journal keyed by idempotency key (decisions D9).
  CREATE TABLE effects (
    key TEXT PRIMARY KEY,
    negotiation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('requested', 'done')),
    attempts INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX effects_negotiation ON effects(negotiation_id);

  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // 2: covering indexes for the campaign overview and the negotiation list (measured by npm run bench).
  `
  CREATE INDEX negotiations_campaign_stats ON negotiations(campaign_id, state, agreed_cents, agreed_cpm_cents);
  CREATE INDEX negotiations_created ON negotiations(created_at, id);
  `,
  // 3: what Gmail gives beyond the new text: the stripped signature (read by the counterparty classifier) and
  // the full raw message (kept for audit, shown with the timeline's email_received entries).
  `
  ALTER TABLE inbox ADD COLUMN signature TEXT;
  ALTER TABLE inbox ADD COLUMN raw TEXT;
  `,
  // 4: webhook deliveries seen (ClickUp), so a re-delivery is a no-op and a failed one is retried.
  `
  CREATE TABLE webhook_deliveries (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    subject TEXT NOT NULL,               -- e.g. the ClickUp task id
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'refused')),
    last_error TEXT,
    received_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(received_at) WHERE status = 'pending';
  `,
  // 5: Slack messages that could not be posted after every retry, posted later (never lost, decisions D5).
  `
  CREATE TABLE chat_outbox (
    key TEXT PRIMARY KEY,                -- the message's idempotency key
    message TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    next_at TEXT NOT NULL
  );
  `,
  // 6: the negotiation list filtered by state or campaign, newest first, at 100k rows (npm run bench).
  `
  CREATE INDEX negotiations_state_created ON negotiations(state, created_at, id);
  CREATE INDEX negotiations_campaign_created ON negotiations(campaign_id, created_at, id);
  `,
  // 7: when a negotiation was parked (decisions D18; the reason is in "failure"), and the table /ready writes to.
  `
  ALTER TABLE negotiations ADD COLUMN parked_at TEXT;
  CREATE TABLE write_probe (at TEXT NOT NULL, pad BLOB NOT NULL);
  `,
  // 8: the reply extraction's reading (decisions D16): the quoted history it cut away (context for the model,
  // never their words) and whether their new words could be separated with confidence.
  `
  ALTER TABLE inbox ADD COLUMN quoted TEXT;
  ALTER TABLE inbox ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;
  `,
  // 9: the parked negotiations (failure set), counted on every /metrics scrape without reading the whole table.
  `
  CREATE INDEX negotiations_parked ON negotiations(updated_at) WHERE failure IS NOT NULL;
  `,
  // 10: the dashboard: a campaign paused or stopped as a whole (its new rows wait), the "needs you" list (escalated
  // and human-held negotiations by latest activity; the type in the timeline's per-negotiation index answers "is their
  // reply the latest?" from the index alone) and the campaign funnel (who was emailed, who replied).
  `
  ALTER TABLE campaigns ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
  CREATE INDEX negotiations_escalated ON negotiations(updated_at, id, failure) WHERE state = 'escalated';
  CREATE INDEX negotiations_human ON negotiations(updated_at, id, state, failure) WHERE human_controlled = 1;
  CREATE INDEX timeline_campaign_type ON timeline(campaign_id, type, negotiation_id);
  DROP INDEX timeline_negotiation;
  CREATE INDEX timeline_negotiation ON timeline(negotiation_id, id, type);
  `,
  // 11: the send queue (decisions D20): one row per send effect, waiting (sent_at NULL) in priority order, or
  // handed to the mailbox at sent_at (epoch ms, the agent's clock), which the per-minute and per-day caps count.
  `
  CREATE TABLE send_queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    negotiation_id TEXT NOT NULL,
    campaign_id TEXT,
    priority INTEGER NOT NULL,
    enqueued_at INTEGER NOT NULL,
    sent_at INTEGER,
    in_flight INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX send_queue_waiting ON send_queue(priority, seq) WHERE sent_at IS NULL;
  CREATE INDEX send_queue_sent ON send_queue(sent_at) WHERE sent_at IS NOT NULL;
  CREATE INDEX send_queue_campaign ON send_queue(campaign_id, sent_at);
  `,
  // 12: an opening email queued for a negotiation not in memory (created asleep by a big campaign's intake): the
  // queue wakes it when its turn nears; until then the boot does not restore it.
  `
  ALTER TABLE send_queue ADD COLUMN asleep INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX send_queue_asleep ON send_queue(negotiation_id) WHERE asleep = 1 AND sent_at IS NULL;
  `,
  // 13: a big campaign's accepted rows waiting to become negotiations (persistence/intake-rows.ts).
  `
  CREATE TABLE intake_rows (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    negotiation_id TEXT NOT NULL UNIQUE,
    campaign_id TEXT NOT NULL,
    influencer_email TEXT NOT NULL,
    started_at TEXT NOT NULL,
    accepted TEXT NOT NULL -- the accepted influencer and opening offer (JSON)
  );
  CREATE INDEX intake_rows_campaign ON intake_rows(campaign_id, influencer_email);
  `,
  // 14: a pause or stop takes a negotiation's waiting emails back (send-queue.ts withdraw): found by negotiation,
  // not by a scan of the queue per negotiation (a whole campaign stopped at once).
  `
  CREATE INDEX send_queue_negotiation ON send_queue(negotiation_id);
  `,
];

/**
 * Opens (creating if needed) the database, checks it (PRAGMA quick_check, see persistence/integrity.ts) and
 * migrates it. A file that is not a database, or a corrupted one, stops the start with an error naming the file:
 * running on damaged data could send the wrong email or lose a deal, so it is restored from a backup first.
 */
export function openDatabase(file: string, synchronous: 'FULL' | 'NORMAL' = 'FULL'): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // A large file is checked in the background instead (persistence/integrity.ts).
    const damage = databaseBytes(db) <= INLINE_CHECK_MAX_BYTES ? quickCheck(db) : null;
    if (damage) throw new Error(damage);
    migrate(db);
  } catch (error) {
    db.close();
    throw new Error(
      `The database ${file} cannot be used: ${(error as Error).message}. ` +
        "If it is damaged, restore it from a backup (or try the sqlite3 shell's .recover) before starting again.",
      { cause: error },
    );
  }
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this build (${MIGRATIONS.length})`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/** SQLite errors that say the storage cannot take writes right now (full, I/O, locked, read-only), not the data. */
const STORAGE_CODES = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|PROTOCOL|NOLFS)/;

export function isStorageError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_CODES.test(code);
}

/** An error from damaged data (the file or one of its pages). */
export function isCorruptionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

/**
 * A real write, committed: a row as large as a busy group commit (64 KiB, sixteen fresh pages) is inserted and
 * removed in one durable transaction, so a full disk (even one with a few free pages left inside the file), an I/O
 * error, a read-only file or a held lock all make it fail. Returns what failed, or null when the database takes
 * writes.
 */
export function probeWrite(db: Db): string | null {
  const patience = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${PROBE_PATIENCE_MS}`); // the probe waits for a writer briefly, never for seconds
  try {
    db.transaction(() => {
      db.prepare('INSERT INTO write_probe (at, pad) VALUES (?, zeroblob(65536))').run(new Date().toISOString());
      db.prepare('DELETE FROM write_probe').run();
    }).immediate();
    return null;
  } catch (error) {
    return describeError(error);
  } finally {
    db.pragma(`busy_timeout = ${patience}`);
  }
}

const PROBE_PATIENCE_MS = 250;

export function describeError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

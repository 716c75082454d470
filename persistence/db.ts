/** Opens the agent's SQLite database (WAL, durable commits) and applies versioned migrations. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

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
  // 7: the parked negotiations (failure set), counted on every /metrics scrape without reading the whole table.
  `
  CREATE INDEX negotiations_parked ON negotiations(updated_at) WHERE failure IS NOT NULL;
  `,
];

export function openDatabase(file: string, synchronous: 'FULL' | 'NORMAL' = 'FULL'): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
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

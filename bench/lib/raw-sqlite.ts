/**
 * The raw durable-commit limit: better-sqlite3 on a temp file with the pragmas of persistence/db.ts
 * (WAL, synchronous=FULL, foreign_keys, busy_timeout), one single-row INSERT per transaction (autocommit).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { percentile } from './http.ts';

export interface RawCommitResult {
  synchronous: 'FULL' | 'NORMAL';
  commits: number;
  seconds: number;
  perSecond: number;
  p50Us: number;
  p99Us: number;
}

export function rawCommits(dir: string, synchronous: 'FULL' | 'NORMAL', durationMs: number): RawCommitResult {
  const db = new Database(join(dir, `raw-${synchronous.toLowerCase()}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE inbox (message_id TEXT PRIMARY KEY, negotiation_id TEXT NOT NULL, text TEXT NOT NULL,
    stored_at TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO inbox (message_id, negotiation_id, text, stored_at) VALUES (?, ?, ?, ?)');
  const text = 'Could you do $2,150? Thanks so much for reaching out, we love the brand. '.repeat(3);
  // Warm-up (file growth, page cache), not measured.
  for (let i = 0; i < 200; i++) insert.run(`<warm-${i}@bench>`, 'neg-warm', text, new Date().toISOString());
  const samples: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  let n = 0;
  for (;;) {
    const t0 = performance.now();
    if (t0 >= deadline) break;
    insert.run(`<m-${n}@bench>`, `neg-${n % 500}`, text, new Date().toISOString());
    samples.push(performance.now() - t0);
    n++;
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return {
    synchronous,
    commits: n,
    seconds,
    perSecond: n / seconds,
    p50Us: percentile(samples, 50) * 1000,
    p99Us: percentile(samples, 99) * 1000,
  };
}

/**
 * A product-shaped durable commit on the real schema (persistence/db.ts openDatabase, synchronous=FULL): one
 * transaction that rewrites a negotiation row (a ~3 KB snapshot, state flipping so its indexes change too) and
 * appends a ~1.2 KB timeline row — what one persisted actor transition writes (persistence/store.ts).
 */
export async function shapedCommits(dir: string, durationMs: number): Promise<RawCommitResult> {
  const { openDatabase } = await import('../../persistence/db.ts');
  const db = openDatabase(join(dir, 'shaped.db'), 'FULL');
  const at = () => new Date().toISOString();
  db.prepare('INSERT INTO campaigns (id, client, definition, created_at) VALUES (?, ?, ?, ?)').run(
    'c',
    'C',
    '{}',
    at(),
  );
  const insert = db.prepare(`INSERT INTO negotiations (id, campaign_id, influencer_email, influencer_name, platform,
    average_views, state, machine_version, snapshot, created_at, updated_at, next_deadline_at)
    VALUES (?, 'c', ?, 'Name', 'instagram', 80000, 'awaiting_reply', 1, ?, ?, ?, ?)`);
  const snapshot = (i: number) => JSON.stringify({ i, context: 'x'.repeat(3000) });
  db.transaction(() => {
    for (let i = 0; i < 500; i++) insert.run(`neg-${i}`, `e${i}@x.example`, snapshot(i), at(), at(), Date.now());
  })();
  const update = db.prepare(
    'UPDATE negotiations SET state = ?, busy = ?, round = ?, snapshot = ?, next_deadline_at = ?, updated_at = ? WHERE id = ?',
  );
  const timeline = db.prepare(
    'INSERT INTO timeline (at, type, negotiation_id, campaign_id, influencer_email, data) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const text = JSON.stringify({ text: 'We would like to propose $2,075.00 for the scope below. '.repeat(20) });
  const persist = db.transaction((n: number) => {
    const id = `neg-${n % 500}`;
    update.run(n % 2 ? 'counter_sent' : 'counter_received', n % 2, n % 5, snapshot(n), Date.now() + n, at(), id);
    timeline.run(at(), 'email_sent', id, 'c', `e${n % 500}@x.example`, text);
  });
  for (let i = 0; i < 200; i++) persist(i);
  const samples: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  let n = 0;
  for (;;) {
    const t0 = performance.now();
    if (t0 >= deadline) break;
    persist(n++);
    samples.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return {
    synchronous: 'FULL',
    commits: n,
    seconds,
    perSecond: n / seconds,
    p50Us: percentile(samples, 50) * 1000,
    p99Us: percentile(samples, 99) * 1000,
  };
}

/**
 * The send queue's order while rows are on their way into a commit (D20: answers before openings). The queue's
 * commit is the group commit in the agent; here it is a real SQLite transaction whose release the test holds back,
 * which is the window between a commit's transaction and its fsync.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type Db, openDatabase } from '../../../persistence/db.ts';
import { createSendQueueStore, PRIORITY } from '../../../persistence/send-queue.ts';
import { createLogger } from '../../../server/observability/logger.ts';
import { createSendQueue } from '../../../server/runtime/send-queue.ts';

const MINUTE = 60_000;

describe('send queue: order while a row is being committed (D20)', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'queue-order-'));
    db = openDatabase(join(dir, 'agent.db'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const turns = () => new Promise((resolve) => setTimeout(resolve, 20));

  it('an answer committed but not yet released is not overtaken by a waiting opening when the slot opens', async () => {
    const at = '2026-12-01T09:00:00.000Z';
    db.prepare("INSERT INTO campaigns (id, client, definition, created_at) VALUES ('c', 'Glow', '{}', ?)").run(at);
    for (const id of ['n-before', 'n-opening', 'n-answer'])
      db.prepare(
        `INSERT INTO negotiations (id, campaign_id, influencer_email, influencer_name, platform, average_views, state,
           busy, machine_version, snapshot, created_at, updated_at)
         VALUES (?, 'c', ?, 'Maya', 'instagram', 1000, 'outreach_sent', 1, 1, '{}', ?, ?)`,
      ).run(id, `${id}@example.com`, at, at);
    let now = Date.parse(at);
    let held: Promise<void> | null = null; // while set, commits are written but not released (the fsync runs)
    const store = createSendQueueStore(db);
    const queue = createSendQueue({
      store,
      clock: { now: () => now, iso: () => new Date(now).toISOString() },
      limits: { perMinute: 1, perDay: 100, window: null },
      logger: createLogger('error', true),
      commit: (write) => {
        db.transaction(write).immediate();
        return held ?? Promise.resolve();
      },
    });
    const signal = new AbortController().signal;
    try {
      // One email went out just now: the next slot is a minute away.
      await queue.turn({ key: 'k-before', negotiationId: 'n-before', priority: PRIORITY.opening }, signal);
      let openingSent = false;
      const opening = queue
        .turn({ key: 'k-opening', negotiationId: 'n-opening', priority: PRIORITY.opening }, signal)
        .then(() => {
          openingSent = true;
        });
      await turns();
      expect(openingSent, 'the opening waits for the next slot').to.equal(false);

      let release = () => {};
      held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let answerSent = false;
      const answer = queue
        .turn({ key: 'k-answer', negotiationId: 'n-answer', priority: PRIORITY.answer }, signal)
        .then(() => {
          answerSent = true;
        });
      await turns(); // the answer's row is written, its commit not released yet
      now += MINUTE + 1; // the slot opens meanwhile
      queue.poke();
      await turns();
      const grantedOpening = store.get('k-opening')?.sentAt ?? null;
      expect(grantedOpening, 'no opening granted while an answer is on its way in').to.equal(null);

      held = null;
      release();
      await answer;
      expect(answerSent).to.equal(true);
      expect(store.get('k-answer')?.sentAt).to.equal(now);
      await turns();
      expect(openingSent, 'the opening waits for the slot after the answer').to.equal(false);
      now += MINUTE + 1;
      queue.poke();
      await opening;
      expect(openingSent).to.equal(true);
    } finally {
      queue.stop();
    }
  });
});

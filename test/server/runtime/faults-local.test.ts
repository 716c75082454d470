/**
 * Failures stay local (decisions D18), against a real agent on real SQLite files: snapshots that do not fit the
 * machine park only their negotiation (at boot and at run time, on every path that restores an actor), and a
 * database that stops taking writes holds the work and resumes it by itself, due timers included.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import winston from 'winston';
import type { Db } from '../../../persistence/db.ts';
import { type AgentOptions, startAgent } from '../../../server/main.ts';
import { loadConfig } from '../../../server/config.ts';
import { eventually, glowCampaign, removeDir, startTestAgent, type TestAgent, tempDir } from '../../support/agent.ts';
import { expectError, mail, negotiation, slack, waitForState } from '../../support/e2e.ts';

const influencers = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    name: `Creator ${from + i}`,
    email: `creator${from + i}@gmail.com`,
    averageViews: 80000,
  }));

async function campaign(t: TestAgent, count: number, id = 'cmp-1', from = 0): Promise<string[]> {
  const res = await t.call('POST', '/api/v1/campaigns', glowCampaign({ id, influencers: influencers(count, from) }));
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  const ids = res.body.negotiations.map((n: { id: string }) => n.id) as string[];
  for (const nid of ids) await waitForState(t, nid, 'awaiting_reply');
  return ids;
}

/** Rewrites a stored snapshot (another connection, as a bad disk or a bad migration would). */
function spoil(dataDir: string, id: string, change: (snapshot: Record<string, unknown>) => unknown, extra = '') {
  const db = new Database(join(dataDir, 'agent.db'));
  const row = db.prepare('SELECT snapshot FROM negotiations WHERE id = ?').get(id) as { snapshot: string };
  const next = change(JSON.parse(row.snapshot));
  db.prepare(`UPDATE negotiations SET snapshot = ?${extra} WHERE id = ?`).run(
    typeof next === 'string' ? next : JSON.stringify(next),
    id,
  );
  db.close();
  return row.snapshot;
}

function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const logger = winston.createLogger({
    level: 'info',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines };
}

async function replyTo(t: TestAgent, id: string, text: string, messageId: string) {
  const n = await negotiation(t, id);
  return t.call('POST', '/sandbox/mail', { from: n.influencer.email, threadId: n.threadId, text, messageId });
}

describe('failures stay local (D18)', function () {
  this.timeout(30_000);
  let t: TestAgent | undefined;
  afterEach(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
    t = undefined;
  });

  it('parks a negotiation whose snapshot does not fit the machine, at boot and on every path; the others go on', async () => {
    const { logger, lines } = memoryLogger();
    t = await startTestAgent({}, tempDir(), { logger });
    const [busy, timer, inbox, command, detail, healthy] = await campaign(t, 6);
    await t.stop();
    // Each bad snapshot reaches the agent by another path: boot re-arm, a due timer, a reply, a command, a read.
    spoil(t.dataDir, busy, () => '{"value": {"active"', ', busy = 1');
    spoil(
      t.dataDir,
      timer,
      (s) => ({ ...s, value: { active: { awaiting_reply: 'daydreaming' } } }),
      ', next_deadline_at = 1',
    );
    spoil(t.dataDir, inbox, (s) => ({ ...s, context: { ...(s.context as object), influencer: undefined } }));
    spoil(t.dataDir, command, (s) => s, ', machine_version = 1000');
    spoil(t.dataDir, detail, (s) => ({ ...s, status: 'error' }));
    await t.restart(); // boot never fails for one negotiation

    const parked = async (id: string) => (await negotiation(t as TestAgent, id)).parked;
    expect((await parked(busy)).reason).to.contain('not valid JSON');
    await eventually(async () => (await parked(timer))?.reason.includes("State 'daydreaming' does not exist"));
    expect((await replyTo(t, inbox, 'I would do it for $2,000', '<inbox-1@x>')).status).to.equal(202);
    await eventually(async () => (await parked(inbox))?.reason.includes('context.influencer'));
    const refused = await t.call('POST', `/api/v1/negotiations/${command}/pause`);
    expectError(refused, 409, 'negotiation_failed');
    expect(refused.body.error.message).to.contain('machine version 1000');
    const shown = await negotiation(t, detail); // a read restores through the same guard
    expect(shown.parked.reason).to.contain('saved status is "error"');
    expect(shown.parked.at).to.match(/^\d{4}-/);
    expect(shown.escalation).to.equal(null);

    // The reply to a parked negotiation is kept for when it runs again, not answered and not thrown away.
    const db = new Database(join(t.dataDir, 'agent.db'), { readonly: true });
    expect(db.prepare("SELECT taken_at, failed FROM inbox WHERE message_id = '<inbox-1@x>'").get()).to.deep.equal({
      taken_at: null,
      failed: null,
    });
    db.close();
    // One notice each in Slack, naming the negotiation and the reason; the log names the negotiation too.
    for (const id of [busy, timer, inbox, command, detail]) {
      const notices = (await slack(t, id)).filter((m) => m.kind === 'notice');
      expect(notices, id).to.have.length(1);
      expect(notices[0].text).to.contain(id);
      expect(JSON.stringify(notices[0].blocks)).to.contain('cannot be restored');
      expect(lines.some((l) => l.negotiationId === id && String(l.message).includes('parked'))).to.equal(true);
    }
    const list = (await t.call('GET', '/api/v1/negotiations')).body as { id: string; parked: unknown }[];
    expect(list.filter((n) => n.parked).map((n) => n.id)).to.have.members([busy, timer, inbox, command, detail]);

    // The healthy negotiation is untouched and closes its deal.
    expect((await replyTo(t, healthy, 'Sounds great, deal!', '<ok-1@x>')).status).to.equal(202);
    await waitForState(t, healthy, 'agreed');

    // Restarts keep working; parked negotiations stay parked without a second notice.
    await t.restart();
    await t.restart();
    expect((await t.call('GET', '/ready')).status).to.equal(200);
    expect((await slack(t, busy)).filter((m) => m.kind === 'notice')).to.have.length(1);
    // Un-parking a negotiation whose snapshot is still bad says so.
    expectError(await t.call('POST', `/api/v1/negotiations/${busy}/unpark`), 409, 'still_parked');
  });

  it('at run time: a snapshot spoiled while the agent runs parks it when restored; fixed and un-parked, it takes its reply', async () => {
    t = await startTestAgent({ ACTOR_CACHE_SIZE: '10' });
    const ids = await campaign(t, 10);
    await campaign(t, 1, 'cmp-2', 10); // the least recently used idle actor leaves the cache
    const victim = ids[0];
    const good = spoil(t.dataDir, victim, (s) => ({ ...s, value: 'limbo' }));
    expect((await replyTo(t, victim, 'My rate is $3,000', '<late-1@x>')).status).to.equal(202);
    await eventually(async () => (await negotiation(t as TestAgent, victim)).parked?.reason.includes("'limbo'"));
    expect((await mail(t, { to: 'creator0@gmail.com' })).length).to.equal(1); // nothing answered
    // Another negotiation of the same campaign carries on.
    expect((await replyTo(t, ids[1], 'Sounds great, deal!', '<ok-2@x>')).status).to.equal(202);
    await waitForState(t, ids[1], 'agreed');
    // The team restores the snapshot from a backup and un-parks: the pending reply is answered.
    spoil(t.dataDir, victim, () => good);
    const unparked = await t.call('POST', `/api/v1/negotiations/${victim}/unpark`);
    expect(unparked.status, JSON.stringify(unparked.body)).to.equal(200);
    await eventually(async () => (await mail(t as TestAgent, { to: 'creator0@gmail.com' })).length === 2);
    expect((await negotiation(t, victim)).parked).to.equal(null);
  });

  it('a due timer whose transition could not be committed fires again once writes work, without a restart', async () => {
    let db: Db | undefined;
    t = await startTestAgent({}, tempDir(), { onDatabase: (d) => (db = d) } satisfies AgentOptions);
    const ids = await campaign(t, 3);
    const agent = t.agent;
    db?.pragma('query_only = ON'); // every write of the agent's connection fails (SQLITE_READONLY)
    const ready = await t.call('GET', '/ready');
    expect(ready.status).to.equal(503);
    expect(ready.body.checks.database).to.match(/^fail: .*agent\.db cannot be written \(SQLITE_READONLY/);
    expect((await t.call('POST', '/sandbox/clock', { advanceHours: 73 })).status).to.equal(200); // follow-ups due
    await new Promise((r) => setTimeout(r, 400));
    expect((await mail(t)).length).to.equal(3); // nothing went out on a transition that was not written
    // Requests that need a write are refused with a clear 503, and change nothing.
    expectError(await t.call('POST', `/api/v1/negotiations/${ids[0]}/pause`), 503, 'storage_unavailable');
    expectError(await replyTo(t, ids[1], 'My rate is $2,500', '<during-1@x>'), 503, 'storage_unavailable');
    expect((await negotiation(t, ids[0])).state).to.equal('awaiting_reply');

    db?.pragma('query_only = OFF');
    for (const [i] of ids.entries()) {
      await eventually(async () => (await mail(t as TestAgent, { to: `creator${i}@gmail.com` })).length === 2, 8000);
    }
    expect((await t.call('GET', '/ready')).status).to.equal(200);
    expect(t.agent).to.equal(agent); // the same process and agent: no restart
    // The reply refused during the outage is accepted when sent again, and answered once.
    expect((await replyTo(t, ids[1], 'My rate is $2,500', '<during-1@x>')).status).to.equal(202);
    await eventually(async () => (await mail(t as TestAgent, { to: 'creator1@gmail.com' })).length === 3);
    await new Promise((r) => setTimeout(r, 300));
    expect((await mail(t, { to: 'creator1@gmail.com' })).length).to.equal(3);
    for (const i of [0, 2]) expect((await mail(t, { to: `creator${i}@gmail.com` })).length).to.equal(2);
  });

  it('a full database (SQLITE_FULL): /ready says so; follow-ups due meanwhile go out once when space is back', async () => {
    let db: Db | undefined;
    t = await startTestAgent({}, tempDir(), { onDatabase: (d) => (db = d) });
    const ids = await campaign(t, 4);
    if (!db) throw new Error('no database');
    // Fill the file to the brim: it may not grow, and its free pages are used up.
    db.exec('CREATE TABLE ballast (x BLOB)');
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    const fill = (into: Db) => {
      for (const size of [4000, 500, 10]) {
        try {
          for (;;) into.prepare('INSERT INTO ballast VALUES (zeroblob(?))').run(size);
        } catch (error) {
          expect((error as { code: string }).code).to.equal('SQLITE_FULL');
        }
      }
    };
    // The agent's own writes may free a page between the fill and the probe (and a probe result is reused for
    // half a second): fill again until the probe meets the full file.
    const full = db;
    await eventually(async () => {
      fill(full);
      return (await (t as TestAgent).call('GET', '/ready')).status === 503;
    }, 3000);
    const ready = await t.call('GET', '/ready');
    expect(ready.status).to.equal(503);
    expect(ready.body.checks.database).to.contain('SQLITE_FULL');
    expect((await t.call('POST', '/sandbox/clock', { advanceHours: 73 })).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 500));
    db.pragma('max_page_count = 1073741823'); // space is back
    for (const [i] of ids.entries()) {
      await eventually(async () => (await mail(t as TestAgent, { to: `creator${i}@gmail.com` })).length === 2, 8000);
    }
    await eventually(async () => (await (t as TestAgent).call('GET', '/ready')).status === 200);
    await new Promise((r) => setTimeout(r, 300));
    // An effect whose journal write hit the full disk was run again, not taken for an outside failure.
    for (const id of ids) expect((await negotiation(t, id)).state).to.equal('awaiting_reply');
    for (const [i] of ids.entries()) {
      const sent = await mail(t, { to: `creator${i}@gmail.com` });
      expect(sent.map((m) => m.subject)).to.deep.equal([
        'Collaboration Opportunity - Glow Skincare',
        'Re: Collaboration Opportunity - Glow Skincare',
      ]);
    }
  });

  it('a corrupted database stops the start with a message naming the file', async () => {
    t = await startTestAgent();
    await campaign(t, 2);
    await t.stop();
    const file = join(t.dataDir, 'agent.db');
    const bytes = Buffer.alloc(4096 * 2, 0x5a);
    const fd = openSync(file, 'r+');
    writeSync(fd, bytes, 0, bytes.length, 4096 * 2); // pages 3 and 4
    closeSync(fd);
    const refusal = (env: Record<string, string>, dir: string) =>
      startAgent(loadConfig(env, dir)).then(
        (agent) => agent.close().then(() => ''),
        (error: Error) => error.message,
      );
    expect(await refusal(t.env, t.dataDir))
      .to.contain(file)
      .and.to.match(/quick_check|malformed/);
    writeFileSync(file, 'this is not a database at all, just text');
    expect(await refusal(t.env, t.dataDir))
      .to.contain(file)
      .and.to.contain('not a database');
    removeDir(t.dataDir);
    t = undefined; // nothing left to stop
  });
});

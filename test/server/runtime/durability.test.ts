/**
 * The durable-actor facts of architecture.md, each against a real agent (real SQLite files, real HTTP).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { assign, fromPromise } from 'xstate';
import { openDatabase } from '../../../persistence/db.ts';
import { createClock } from '../../../services/clock.ts';
import { messageIdFor } from '../../../services/mail/port.ts';
import { createSandboxMailbox } from '../../../services/mail/sandbox.ts';
import { openSandboxDb } from '../../../services/sandbox/db.ts';
import { createInbox } from '../../../persistence/inbox.ts';
import { createJournal } from '../../../persistence/journal.ts';
import { createStore } from '../../../persistence/store.ts';
import { eventually, glowCampaign, removeDir, startTestAgent, type TestAgent, tempDir } from '../../support/agent.ts';

const read = (t: TestAgent) => new Database(join(t.dataDir, 'agent.db'), { readonly: true });

async function campaign(t: TestAgent, influencers = 1) {
  const body = glowCampaign({
    influencers: Array.from({ length: influencers }, (_, i) => ({
      name: `Creator ${i}`,
      email: `creator${i}@gmail.com`,
      averageViews: 80000,
    })),
  });
  const res = await t.call('POST', '/api/v1/campaigns', body);
  expect(res.status).to.equal(201);
  return res.body.negotiations.map((n: { id: string }) => n.id) as string[];
}

async function threadOf(t: TestAgent, id: string): Promise<string> {
  return eventually(async () => (await t.call('GET', `/api/v1/negotiations/${id}`)).body.threadId);
}

async function replyTo(t: TestAgent, id: string, text: string, messageId?: string) {
  const from = (await t.call('GET', `/api/v1/negotiations/${id}`)).body.influencer.email;
  const res = await t.call('POST', '/sandbox/mail', { from, threadId: await threadOf(t, id), text, messageId });
  expect(res.status).to.equal(202);
}

const state = async (t: TestAgent, id: string) => (await t.call('GET', `/api/v1/negotiations/${id}`)).body.state;

describe('durable actors (architecture.md facts)', () => {
  let t: TestAgent;
  afterEach(async () => {
    await t?.stop();
    removeDir(t.dataDir);
  });

  it('1: an effect restored mid-flight runs again, but a send that already happened is found, not repeated', async () => {
    // First life: the opening email's send hangs, and the process goes down with the snapshot in `sending`.
    const hang = fromPromise(() => new Promise<never>(() => {}));
    t = await startTestAgent({ SHUTDOWN_GRACE_MS: '0' }, tempDir(), {
      adaptMachine: (m) => m.provide({ actors: { sendEmail: hang } as never }),
    });
    const [id] = await campaign(t);
    await t.stop();
    const db = new Database(join(t.dataDir, 'agent.db'));
    const snapshot = JSON.parse(
      (db.prepare('SELECT snapshot FROM negotiations WHERE id = ?').get(id) as { snapshot: string }).snapshot,
    );
    expect(snapshot.value).to.deep.equal({ active: { initial_offer: 'sending' } });
    expect(Object.keys(snapshot.children)).to.deep.equal(['send']); // the in-flight effect is in the snapshot
    const key = (db.prepare("SELECT key FROM effects WHERE kind = 'send_email'").get() as { key: string }).key;
    // ...and the email had in fact gone out: the mailbox has it, the journal counted one attempt.
    db.prepare('UPDATE effects SET attempts = 1 WHERE key = ?').run(key);
    db.close();
    const sandbox = openSandboxDb(join(t.dataDir, 'sandbox.db'));
    await createSandboxMailbox(sandbox, createClock()).send({
      messageId: messageIdFor(key, 'deals@agency.example'),
      from: 'deals@agency.example',
      to: 'creator0@gmail.com',
      subject: 'Collaboration Opportunity - Glow Skincare',
      text: 'the opening offer',
      html: '<p>the opening offer</p>',
      threadId: null,
      inReplyTo: null,
      references: [],
    });
    sandbox.close();
    // Second life, real effects: the restored send runs again, finds the message by Message-ID, sends nothing.
    t = await startTestAgent({}, t.dataDir);
    await eventually(async () => (await state(t, id)) === 'awaiting_reply');
    expect((await t.call('GET', '/sandbox/mail')).body).to.have.length(1);
    const sent = (await t.call('GET', `/api/v1/negotiations/${id}`)).body.timeline.filter(
      (e: { type: string }) => e.type === 'email_sent',
    );
    expect(sent).to.have.length(1);
    await t.restart(); // and an idle negotiation restored again does nothing at all
    expect((await t.call('GET', '/sandbox/mail')).body).to.have.length(1);
  });

  it('2: an acknowledged reply is in the inbox and is delivered after a restart if the actor never took it', async () => {
    t = await startTestAgent();
    const [id] = await campaign(t);
    const thread = await threadOf(t, id);
    await t.stop();
    // The message reached the durable inbox but no actor took it (the process died right after the 202).
    const db = openDatabase(join(t.dataDir, 'agent.db'));
    db.prepare(
      `INSERT INTO inbox (message_id, negotiation_id, thread_id, from_addr, subject, text, received_at, stored_at)
       VALUES ('<late@x>', ?, ?, 'creator0@gmail.com', 'Re', 'Sounds great, let''s do it!', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
    ).run(id, thread);
    db.close();
    await t.restart();
    await eventually(async () => (await state(t, id)) === 'agreed');
    const r = read(t);
    expect(r.prepare("SELECT taken_at FROM inbox WHERE message_id = '<late@x>'").get())
      .to.have.property('taken_at')
      .that.is.a('string');
    r.close();
  });

  it('2: a stored reply an actor never took is handed over, in order, with the next mail for that negotiation', async () => {
    t = await startTestAgent();
    const [id] = await campaign(t);
    const thread = await threadOf(t, id);
    // A reply stored and acknowledged whose hand-over never happened (e.g. the client vanished mid-response).
    const db = new Database(join(t.dataDir, 'agent.db'));
    db.prepare(
      `INSERT INTO inbox (message_id, negotiation_id, thread_id, from_addr, subject, text, received_at, stored_at)
       VALUES ('<stranded@x>', ?, ?, 'creator0@gmail.com', 'Re', 'I''d do it for $2,300', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
    ).run(id, thread);
    db.close();
    await replyTo(t, id, 'Sounds great, deal!', '<later@x>');
    await eventually(async () => (await state(t, id)) === 'agreed');
    const timeline = (await t.call('GET', `/api/v1/negotiations/${id}`)).body.timeline as {
      type: string;
      messageId?: string;
    }[];
    const received = timeline.filter((e) => e.type === 'email_received').map((e) => e.messageId);
    expect(received).to.deep.equal(['<stranded@x>', '<later@x>']);
    expect((await t.call('GET', `/api/v1/negotiations/${id}`)).body.agreedRate).to.equal('2150.00');
  });

  it('3: timers are persisted deadlines: after a restart with the clock past them, the follow-up goes out', async () => {
    t = await startTestAgent();
    const [id] = await campaign(t);
    await eventually(async () => (await state(t, id)) === 'awaiting_reply');
    const r = read(t);
    const deadline = (r.prepare('SELECT next_deadline_at AS d FROM negotiations WHERE id = ?').get(id) as { d: number })
      .d;
    r.close();
    expect(deadline).to.be.a('number');
    await t.stop();
    // Move the sandbox clock 73 h ahead while the agent is down.
    const sandbox = new Database(join(t.dataDir, 'sandbox.db'));
    sandbox.prepare("INSERT INTO settings (key, value) VALUES ('clock.offset_ms', ?)").run(String(73 * 3_600_000));
    sandbox.close();
    await t.restart();
    await eventually(async () => (await t.call('GET', '/sandbox/mail')).body.length === 2);
    expect(await state(t, id)).to.equal('awaiting_reply');
  });

  it('5: a restored, unchanged actor is not written again, and nothing is persisted after stop', async () => {
    let release: () => void = () => {};
    const slowSend = new Promise<void>((resolve) => {
      release = resolve;
    });
    let sends = 0;
    t = await startTestAgent({ SHUTDOWN_GRACE_MS: '50' }, tempDir(), {
      adaptMachine: (m) =>
        m.provide({
          actors: {
            sendEmail: fromPromise(async () => {
              sends++;
              await slowSend;
              return { messageId: '<late@agent>', threadId: 'late-thread', sentAt: new Date().toISOString() };
            }),
          } as never,
        }),
    });
    const [id] = await campaign(t);
    await eventually(() => sends === 1);
    const before = read(t);
    const row = before.prepare('SELECT snapshot, updated_at FROM negotiations WHERE id = ?').get(id);
    const rows = (before.prepare('SELECT COUNT(*) AS n FROM timeline').get() as { n: number }).n;
    before.close();
    await t.stop(); // the send is still in flight
    release();
    await new Promise((r) => setTimeout(r, 50));
    const after = read(t);
    expect(after.prepare('SELECT snapshot, updated_at FROM negotiations WHERE id = ?').get(id)).to.deep.equal(row);
    expect((after.prepare('SELECT COUNT(*) AS n FROM timeline').get() as { n: number }).n).to.equal(rows);
    after.close();
  });

  it('5: an action that throws never persists its error state; the actor is reloaded and the others continue', async () => {
    t = await startTestAgent({}, tempDir(), {
      adaptMachine: (m) =>
        m.provide({
          actions: {
            // the real action, plus a bug that fires on one particular reply
            enqueueReply: assign({
              queue: ({ context, event }) => {
                const reply = (event as { reply?: { text: string } }).reply;
                if (reply?.text.includes('BOOM')) throw new Error('injected failure');
                return [...(context as { queue: unknown[] }).queue, reply];
              },
            }),
          } as never,
        }),
    });
    const [a, b] = await campaign(t, 2);
    await eventually(async () => (await state(t, a)) === 'awaiting_reply' && (await state(t, b)) === 'awaiting_reply');
    await replyTo(t, a, 'BOOM', '<boom-1@x>');
    await eventually(async () =>
      (await t.call('GET', `/api/v1/negotiations/${a}`)).body.timeline.some(
        (e: { type: string }) => e.type === 'error',
      ),
    );
    expect(await state(t, a)).to.equal('awaiting_reply');
    const r = read(t);
    expect(r.prepare("SELECT failed FROM inbox WHERE message_id = '<boom-1@x>'").get()).to.deep.equal({
      failed: 'injected failure',
    });
    expect(r.prepare('SELECT snapshot FROM negotiations WHERE id = ?').get(a)).to.satisfy(
      (row: { snapshot: string }) => !row.snapshot.includes('"error"'),
    );
    r.close();
    const notices = (await t.call('GET', '/sandbox/slack')).body.filter(
      (m: { kind: string; text: string }) => m.kind === 'notice' && m.text.includes(a),
    );
    expect(notices).to.have.length(1);
    // The other negotiation is unaffected.
    await replyTo(t, b, 'Sounds great, deal!');
    await eventually(async () => (await state(t, b)) === 'agreed');
  });

  it('parks a negotiation that keeps failing, and reports it', async () => {
    t = await startTestAgent({}, tempDir(), {
      adaptMachine: (m) =>
        m.provide({
          actions: {
            enqueueReply: () => {
              throw new Error('always fails');
            },
          } as never,
        }),
    });
    const [id] = await campaign(t);
    for (let i = 0; i < 3; i++) await replyTo(t, id, `hello ${i}`, `<fail-${i}@x>`);
    await eventually(async () => (await t.call('GET', `/api/v1/negotiations/${id}`)).body.failure === 'always fails');
    const res = await t.call('POST', `/api/v1/negotiations/${id}/pause`);
    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('negotiation_failed');
  });

  it('7: a transition whose commit fails is not kept in memory: the actor reloads, retries, then parks', async () => {
    t = await startTestAgent();
    const [a, b] = await campaign(t, 2);
    await eventually(async () => (await state(t, a)) === 'awaiting_reply' && (await state(t, b)) === 'awaiting_reply');
    // The disk refuses the audit row of one negotiation's reply (e.g. a corrupt page), so its transition cannot commit.
    const db = new Database(join(t.dataDir, 'agent.db'));
    db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON timeline WHEN NEW.negotiation_id = '${a}' AND NEW.type = 'email_received'
             BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
    await replyTo(t, a, "I'd do it for $2,300", '<refused@x>');
    await eventually(async () => (await t.call('GET', `/api/v1/negotiations/${a}`)).body.failure === 'disk trouble');
    expect(await state(t, a)).to.equal('awaiting_reply'); // nothing of the failed transition was kept
    const inbox = db.prepare("SELECT taken_at, failed FROM inbox WHERE message_id = '<refused@x>'").get();
    expect(inbox).to.deep.equal({ taken_at: null, failed: null }); // still pending: not the message's fault
    expect((await t.call('GET', '/sandbox/mail?to=creator0@gmail.com')).body).to.have.length(1);
    await replyTo(t, b, 'Sounds great, deal!');
    await eventually(async () => (await state(t, b)) === 'agreed'); // the others carry on meanwhile
    // Once the cause is fixed, un-parking hands the negotiation its pending reply.
    db.exec('DROP TRIGGER refuse');
    db.close();
    const unparked = await t.call('POST', `/api/v1/negotiations/${a}/unpark`);
    expect(unparked.status).to.equal(200);
    await eventually(async () => (await state(t, a)) === 'counter_sent');
    expect((await t.call('POST', `/api/v1/negotiations/${a}/unpark`)).status).to.equal(409);
  });

  it('6: a snapshot saved by another machine version is refused with a clear reason; the others load', async () => {
    t = await startTestAgent();
    const [a, b] = await campaign(t, 2);
    await eventually(async () => (await state(t, b)) === 'awaiting_reply');
    await t.stop();
    const db = new Database(join(t.dataDir, 'agent.db'));
    db.prepare('UPDATE negotiations SET machine_version = 999 WHERE id = ?').run(a);
    db.close();
    await t.restart();
    const refused = await t.call('POST', `/api/v1/negotiations/${a}/pause`);
    expect(refused.status).to.equal(409);
    expect((await t.call('GET', `/api/v1/negotiations/${a}`)).body.failure).to.contain('machine version 999');
    expect((await t.call('POST', `/api/v1/negotiations/${b}/pause`)).status).to.equal(200);
  });

  it('7: snapshot, timeline, journal and inbox rows of a transition commit together or not at all', async () => {
    t = await startTestAgent();
    const [id] = await campaign(t);
    await eventually(async () => (await state(t, id)) === 'awaiting_reply');
    await t.stop();
    const db = openDatabase(join(t.dataDir, 'agent.db'));
    const store = createStore(db, { followUpAfterMs: 1, staleAfterMs: 1 }, createJournal(db), createInbox(db));
    const before = db.prepare('SELECT snapshot, state FROM negotiations WHERE id = ?').get(id);
    const counts = () =>
      db.prepare('SELECT (SELECT COUNT(*) FROM timeline) AS t, (SELECT COUNT(*) FROM effects) AS e').get();
    const countsBefore = counts();
    db.exec(
      "CREATE TRIGGER no_notes BEFORE INSERT ON timeline WHEN NEW.type = 'notice' BEGIN SELECT RAISE(ABORT, 'disk trouble'); END",
    );
    const stored = store.load(id);
    const snapshot = JSON.parse(stored?.snapshot ?? '{}');
    expect(() =>
      store.persist({
        id,
        snapshot: {
          ...snapshot,
          context: { ...snapshot.context, round: 4 },
          value: 'paused',
          hasTag: () => false,
          matches: () => false,
        } as never,
        json: '{"changed":true}',
        previousState: 'awaiting_reply',
        event: 'TEST',
        emitted: [
          { type: 'effect.requested', key: `${id}:test`, kind: 'notify' },
          { type: 'timeline', entry: { type: 'notice', notice: 'x' } },
        ],
        at: new Date().toISOString(),
      }),
    ).to.throw('disk trouble');
    expect(db.prepare('SELECT snapshot, state FROM negotiations WHERE id = ?').get(id)).to.deep.equal(before);
    expect(counts()).to.deep.equal(countsBefore);
    db.close();
  });

  it('keeps the timeline append-only', async () => {
    t = await startTestAgent();
    await campaign(t);
    await t.stop();
    const db = new Database(join(t.dataDir, 'agent.db'));
    expect(() => db.prepare("UPDATE timeline SET type = 'x'").run()).to.throw('append-only');
    expect(() => db.prepare('DELETE FROM timeline').run()).to.throw('append-only');
    db.close();
  });
});

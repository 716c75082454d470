/**
 * Crash tests with the real process: `kill -9` (SIGKILL) at exact effect boundaries (SANDBOX_CRASH_POINT makes
 * the process kill itself there) and at arbitrary moments, then a restart on the same data: nothing lost, no
 * email sent twice, and the negotiation carries on.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { eventually, glowCampaign, removeDir, tempDir } from '../support/agent.ts';
import { kill9, type ServiceProcess, startService } from '../support/process.ts';

interface Mail {
  messageId: string;
  threadId: string;
  subject: string;
  text: string;
}

describe('crash safety (real process, kill -9)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let service: ServiceProcess | undefined;
  const env = () => ({ DATA_DIR: dataDir, SHEETS_DIR: join(dataDir, 'sheets'), EFFECT_RETRY_BASE_MS: '10' });

  beforeEach(() => {
    dataDir = tempDir('crash-');
  });
  afterEach(async () => {
    if (service) await kill9(service);
    service = undefined;
    removeDir(dataDir);
  });

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${service?.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies through assertions
    return { status: res.status, body: (await res.json()) as any };
  }
  const mail = async () => (await call('GET', '/sandbox/mail')).body as Mail[];
  const negotiation = async (id: string) => (await call('GET', `/api/v1/negotiations/${id}`)).body;

  /** Every email the agent recorded as sent, from its own database. */
  function recordedSends(): string[] {
    const db = new Database(join(dataDir, 'agent.db'), { readonly: true });
    const rows = db.prepare("SELECT data FROM timeline WHERE type = 'email_sent' ORDER BY id").all() as {
      data: string;
    }[];
    db.close();
    return rows.map((r) => JSON.parse(r.data).messageId);
  }

  async function openNegotiation(): Promise<{ id: string; thread: string }> {
    const created = await call('POST', '/api/v1/campaigns', glowCampaign());
    expect(created.status).to.equal(201);
    const id = created.body.negotiations[0].id;
    const thread = await eventually(async () => (await mail())[0]?.threadId);
    return { id, thread };
  }

  /** Starts the service with a crash point, drives `action`, and waits for the process to kill itself. */
  async function crashDuring(point: string, action: () => Promise<unknown>) {
    service = await startService({ ...env(), SANDBOX_CRASH_POINT: point });
    await action().catch(() => undefined); // the request may die with the process
    const { signal } = await service.exited;
    expect(signal, `the process should have been killed at ${point}`).to.equal('SIGKILL');
    service = await startService(env());
  }

  const counterReply = (thread: string, messageId = '<counter-1@maya>') =>
    call('POST', '/sandbox/mail', {
      from: 'Maya Lopez <maya@gmail.com>',
      threadId: thread,
      text: "I'd do it for $2,300",
      messageId,
    });

  for (const point of ['before_mail_send:2', 'after_mail_send:2']) {
    it(`sends the counter exactly once when killed at ${point} (while an email is being sent)`, async () => {
      let opened: { id: string; thread: string } | undefined;
      await crashDuring(point, async () => {
        opened = await openNegotiation();
        await counterReply(opened.thread);
      });
      const { id } = opened as { id: string; thread: string };
      await eventually(async () => (await negotiation(id)).state === 'counter_sent');
      const sent = await mail();
      expect(sent.map((m) => m.subject)).to.deep.equal([
        'Collaboration Opportunity - Glow Skincare',
        'Re: Collaboration Opportunity - Glow Skincare',
      ]);
      expect(recordedSends()).to.deep.equal(sent.map((m) => m.messageId)); // each send recorded once, none lost
      expect((await negotiation(id)).lastOfferedRate).to.equal('2150.00');
    });
  }

  it('processes a reply that was acknowledged (202) just before the kill', async () => {
    let opened: { id: string; thread: string } | undefined;
    let acknowledged = 0;
    await crashDuring('reply_acknowledged:1', async () => {
      opened = await openNegotiation();
      acknowledged = (await counterReply(opened.thread)).status;
    });
    expect(acknowledged).to.equal(202);
    const { id, thread } = opened as { id: string; thread: string };
    await eventually(async () => (await negotiation(id)).state === 'counter_sent');
    expect(await mail()).to.have.length(2);
    // The same message delivered again after the restart is a no-op.
    expect((await counterReply(thread)).body).to.deep.include({ duplicate: true });
    const detail = await negotiation(id);
    expect(detail.timeline.filter((e: { type: string }) => e.type === 'email_received')).to.have.length(1);
  });

  it('survives a kill after any persisted transition of a whole negotiation, with the same outcome', async () => {
    // Run the negotiation once per crash position, each time killed right after the n-th durable commit.
    for (const n of [1, 3, 5, 8, 10, 12, 15, 17]) {
      removeDir(dataDir);
      dataDir = tempDir('crash-');
      let opened: { id: string; thread: string } | undefined;
      service = await startService({ ...env(), SANDBOX_CRASH_POINT: `after_persist:${n}` });
      try {
        opened = await openNegotiation();
        await counterReply(opened.thread);
        await eventually(async () => (await negotiation(opened?.id ?? '')).state === 'counter_sent', 3_000);
        await call('POST', '/sandbox/mail', {
          from: 'maya@gmail.com',
          threadId: opened.thread,
          text: 'Sounds great, deal!',
          messageId: '<accept@maya>',
        });
      } catch {
        // killed mid-way
      }
      const died = await Promise.race([service.exited, new Promise((r) => setTimeout(() => r(null), 5_000))]);
      expect(died, `the process should have killed itself after commit ${n}`).to.deep.include({ signal: 'SIGKILL' });
      service = await startService(env());
      if (!opened) opened = { id: (await call('GET', '/api/v1/negotiations')).body[0]?.id, thread: '' };
      if (!opened.id) {
        // killed before the campaign committed: nothing half-written, and it can be created again
        expect((await call('GET', '/api/v1/campaigns')).body).to.deep.equal([]);
        opened = await openNegotiation();
      }
      const thread = opened.thread || (await eventually(async () => (await mail())[0]?.threadId));
      // Re-drive the whole script: re-deliveries of the same message ids are no-ops, as from a retrying sender.
      const id = opened.id;
      const reached = (...states: string[]) => eventually(async () => states.includes((await negotiation(id)).state));
      await reached('awaiting_reply', 'counter_sent', 'agreed');
      await counterReply(thread);
      await reached('counter_sent', 'agreed');
      await call('POST', '/sandbox/mail', {
        from: 'maya@gmail.com',
        threadId: thread,
        text: 'Sounds great, deal!',
        messageId: '<accept@maya>',
      });
      await eventually(async () => (await negotiation(opened?.id ?? '')).state === 'agreed');
      const final = await negotiation(opened.id);
      expect(final.agreedRate, `crash after commit ${n}`).to.equal('2150.00');
      const sent = await mail();
      expect(sent, `crash after commit ${n}`).to.have.length(3); // outreach, counter, confirmation
      expect(recordedSends(), `crash after commit ${n}`).to.deep.equal(sent.map((m) => m.messageId));
      const slack = (await call('GET', '/sandbox/slack')).body as { kind: string }[];
      expect(
        slack.filter((m) => m.kind === 'agreement'),
        `crash after commit ${n}`,
      ).to.have.length(1);
      await kill9(service);
      service = undefined;
    }
  });
});

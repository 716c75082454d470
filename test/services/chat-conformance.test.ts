import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { expect } from 'chai';
import { createClock } from '../../services/clock.ts';
import type { ChatMessage, ChatPort } from '../../services/chat/port.ts';
import { createSandboxSlack } from '../../services/chat/sandbox.ts';
import { createSlackChat, METADATA_EVENT, update, verifyAuth } from '../../services/chat/slack.ts';
import { openSandboxDb } from '../../services/sandbox/db.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';

const CHANNEL = 'C0ESCALATE';

interface Stored {
  ts: string;
  channel: string;
  text: string;
  threadTs: string | null;
}

interface Harness {
  chat: ChatPort;
  stored(): Stored[];
  close(): Promise<void>;
}

function message(key: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return {
    key,
    channel: CHANNEL,
    text: `Escalation ${key}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*Escalation* ${key}` } }],
    negotiationId: 'neg-1',
    kind: 'escalation',
    threadTs: null,
    ...extra,
  };
}

const slackClient = (fake: FakeSlack, token = fake.token) =>
  new WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });

const adapters: [string, () => Promise<Harness>][] = [
  [
    'sandbox stand-in',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'chat-'));
      const db = openSandboxDb(join(dir, 'sandbox.db'));
      const slack = createSandboxSlack(db, createClock());
      return {
        chat: slack,
        stored: () =>
          slack.messages().map((m) => ({ ts: m.ts, channel: m.channel, text: m.text, threadTs: m.threadTs })),
        async close() {
          db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'Slack adapter over the fake Web API',
    async () => {
      const fake = await startFakeSlack();
      return {
        chat: createSlackChat({ client: slackClient(fake) }),
        stored: () =>
          fake.posted().map((m) => ({ ts: m.ts, channel: m.channel, text: m.text, threadTs: m.thread_ts ?? null })),
        close: () => fake.close(),
      };
    },
  ],
];

for (const [name, create] of adapters) {
  describe(`chat port conformance: ${name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await create();
    });
    afterEach(() => h.close());

    it('post returns the ts of the stored message', async () => {
      const { ts } = await h.chat.post(message('k1'));
      expect(ts).to.match(/^\d+\.\d+$/);
      expect(h.stored()).to.deep.equal([{ ts, channel: CHANNEL, text: 'Escalation k1', threadTs: null }]);
    });

    it('posts the same key once and returns the same ts', async () => {
      const first = await h.chat.post(message('k1'));
      const again = await h.chat.post(message('k1', { text: 'a retry after a crash' }));
      expect(again.ts).to.equal(first.ts);
      expect(h.stored()).to.have.length(1);
    });

    it('posts different keys as different messages', async () => {
      const a = await h.chat.post(message('k1'));
      const b = await h.chat.post(message('k2'));
      expect(a.ts).to.not.equal(b.ts);
      expect(h.stored().map((m) => m.ts)).to.deep.equal([a.ts, b.ts]);
    });

    it('lands thread replies in the thread, once per key', async () => {
      const parent = await h.chat.post(message('parent'));
      const reply = await h.chat.post(message('reply', { threadTs: parent.ts, kind: 'notice' }));
      const again = await h.chat.post(message('reply', { threadTs: parent.ts, kind: 'notice' }));
      expect(again.ts).to.equal(reply.ts);
      expect(h.stored()).to.have.length(2);
      expect(h.stored().find((m) => m.ts === reply.ts)?.threadTs).to.equal(parent.ts);
    });

    it('update replaces a posted message in place; a message that is not there is left alone', async () => {
      const { ts } = await h.chat.post(message('k1'));
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Their ask: $2,200.00' } }];
      await h.chat.update({ channel: CHANNEL, ts, text: 'Escalation k1 (updated)', blocks });
      expect(h.stored()).to.deep.equal([{ ts, channel: CHANNEL, text: 'Escalation k1 (updated)', threadTs: null }]);
      await h.chat.update({ channel: CHANNEL, ts: '1.999999', text: 'gone', blocks });
      expect(h.stored()).to.have.length(1);
    });
  });
}

describe('Slack chat adapter', () => {
  let fake: FakeSlack;
  beforeEach(async () => {
    fake = await startFakeSlack();
  });
  afterEach(() => fake.close());

  it('stores the key and negotiation in the message metadata, without link unfurls', async () => {
    await createSlackChat({ client: slackClient(fake) }).post(message('esc:neg-1:1'));
    const [posted] = fake.posted();
    expect(posted.metadata).to.deep.equal({
      event_type: METADATA_EVENT,
      event_payload: { key: 'esc:neg-1:1', negotiation_id: 'neg-1' },
    });
    expect(posted.unfurl_links).to.equal(false);
    expect(posted.blocks).to.deep.equal(message('esc:neg-1:1').blocks);
  });

  it('finds a post that landed before a restart: a new adapter does not post it again', async () => {
    const before = await createSlackChat({ client: slackClient(fake) }).post(message('k1'));
    const after = await createSlackChat({ client: slackClient(fake) }).post(message('k1'));
    expect(after.ts).to.equal(before.ts);
    expect(fake.calls('chat.postMessage')).to.equal(1);
    expect(fake.calls('conversations.history')).to.equal(2);
  });

  it('posts two concurrent posts of one key once', async () => {
    const chat = createSlackChat({ client: slackClient(fake) });
    const [a, b] = await Promise.all([chat.post(message('k1')), chat.post(message('k1'))]);
    expect(a.ts).to.equal(b.ts);
    expect(fake.calls('chat.postMessage')).to.equal(1);
  });

  it('reports a failed post, and the retry posts once', async () => {
    const chat = createSlackChat({ client: slackClient(fake) });
    fake.failNext('chat.postMessage', 'ratelimited');
    let error: unknown;
    await chat.post(message('k1')).catch((e) => {
      error = e;
    });
    expect(String(error)).to.contain('ratelimited');
    await chat.post(message('k1'));
    await chat.post(message('k1'));
    expect(fake.posted()).to.have.length(1);
  });

  it('fails when the history lookup fails rather than risk a double post', async () => {
    fake.failNext('conversations.history', 500);
    let error: unknown;
    await createSlackChat({ client: slackClient(fake) })
      .post(message('k1'))
      .catch((e) => {
        error = e;
      });
    expect(error).to.be.instanceOf(Error);
    expect(fake.posted()).to.have.length(0);
  });

  it('refuses a channel name: history needs a channel ID', async () => {
    let error: unknown;
    await createSlackChat({ client: slackClient(fake) })
      .post(message('k1', { channel: '#negotiation-escalations' }))
      .catch((e) => {
        error = e;
      });
    expect(String(error)).to.contain('channel ID');
    expect(fake.calls('chat.postMessage')).to.equal(0);
  });

  it('update replaces text and blocks', async () => {
    const client = slackClient(fake);
    const { ts } = await createSlackChat({ client }).post(message('k1'));
    await update(client, CHANNEL, ts, 'Decided', [{ type: 'section', text: { type: 'mrkdwn', text: 'Approved' } }]);
    expect(fake.message(CHANNEL, ts)).to.include({ text: 'Decided' });
    expect(fake.updated()).to.have.length(1);
  });

  it('reports a failed update other than a missing message, so it is retried', async () => {
    const chat = createSlackChat({ client: slackClient(fake) });
    const { ts } = await chat.post(message('k1'));
    fake.failNext('chat.update', 'ratelimited');
    const error = await chat.update({ channel: CHANNEL, ts, text: 'x', blocks: [] }).catch((e) => e);
    expect(String(error)).to.contain('ratelimited');
  });

  it('verifyAuth returns the bot identity, and names an invalid token', async () => {
    const auth = await verifyAuth(slackClient(fake));
    expect(auth).to.include({ ok: true, user_id: 'UBOT', bot_id: 'BBOT' });
    let error: unknown;
    await verifyAuth(slackClient(fake, 'xoxb-wrong')).catch((e) => {
      error = e;
    });
    expect(String(error)).to.contain('SLACK_BOT_TOKEN is invalid').and.contain('invalid_auth');
  });
});

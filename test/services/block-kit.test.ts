/**
 * Slack messages within Block Kit's limits (decisions D19): the builders' output fitted by services/chat/block-kit.ts
 * is checked by the independent validator of test/support/block-kit.ts, and posted with the REAL WebClient to the
 * fake Slack, which refuses what Slack refuses.
 */
import { LogLevel, WebClient } from '@slack/web-api';
import { expect } from 'chai';
import type { NotifyInput } from '../../machines/negotiation.ts';
import { cutMrkdwn, cutPlain, fitBlocks, fitMessage, plainVersion } from '../../services/chat/block-kit.ts';
import { escalationMessage, noticeMessage } from '../../services/chat/messages.ts';
import type { ChatMessage } from '../../services/chat/port.ts';
import { createSlackChat, update } from '../../services/chat/slack.ts';
import { assertWithinBlockKit, blockProblems } from '../support/block-kit.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';

const CHANNEL = 'C0ESCALATE';
const LONG_NAME = `${'Beatriz Montenegro-Villalobos '.repeat(4)}👩‍👩‍👧‍👦 Ümlaut 🇧🇷${'x'.repeat(60)}`;
const NASTY = `${'Tom & Jerry <script> '.repeat(120)}<!channel> <@U123|boss> ${'&'.repeat(300)}${'<'.repeat(300)}`;

function notify(overrides: Partial<NotifyInput> = {}): NotifyInput {
  return {
    key: 'neg-1:notify:1',
    kind: 'escalation',
    negotiationId: 'neg-1',
    influencer: {
      name: LONG_NAME,
      email: 'maya@gmail.com',
      platform: 'instagram',
      handle: '@maya',
      averageViews: 80000,
      engagementRate: '4.5',
      agency: null,
    },
    terms: {
      campaignId: 'cmp-1',
      client: 'Glow & <Skincare>',
      platform: 'instagram',
      deliverables: '1 Instagram Reel',
      floorCpmCents: 2000,
      ceilingCpmCents: 3000,
      levers: {
        scenarios: [],
        usageRights: null,
        product: null,
        contentSyndication: false,
        minCostCents: null,
        maxCostCents: 230000,
        cpmTargetCents: 2000,
      },
      paymentTerms: 'net 30',
    },
    lastOfferCents: 200000,
    theirAskCents: 320000,
    agreedCents: null,
    deliverables: '1 Instagram Reel',
    escalation: {
      reason: `Their ask is above the cap ${'&<>'.repeat(400)}`,
      trigger: 'cap',
      evidence: NASTY,
      askCents: 320000,
      suggestedCents: 230000,
      draft: NASTY,
      slackTs: null,
    },
    reply: null,
    classification: null,
    controlledBy: null,
    ...overrides,
  };
}

const conversation = Array.from({ length: 6 }, (_, i) => ({
  direction: (i % 2 ? 'in' : 'out') as 'in' | 'out',
  text: `${NASTY}\n${'line\n'.repeat(50)}${'😀'.repeat(200)}`,
  at: '2030-01-01T10:00:00.000Z',
}));

/** Every `&` of escaped mrkdwn starts a whole entity, and no `<` is left open (nothing cut inside one). */
function expectWholeEntities(text: string) {
  expect(text.replace(/&(amp|lt|gt);/g, ''), 'a cut entity').not.to.include('&');
  const controls = text.match(/<[^>]*>?/g) ?? [];
  for (const c of controls) expect(c.endsWith('>'), `an unclosed ${c.slice(0, 40)}`).to.equal(true);
}

const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

const texts = (blocks: unknown[]) => JSON.stringify(blocks).length;

describe('Block Kit limits (services/chat/block-kit.ts)', () => {
  it('a long escalation (hundreds of & and <, emoji, a very long name) fits every limit after escaping', () => {
    const raw = escalationMessage(notify(), { link: 'http://127.0.0.1:3000/dashboard#/n/neg-1', conversation });
    expect(blockProblems(raw.blocks), 'the builder alone is over the limits (the case to fix)').not.to.deep.equal([]);
    const fitted = fitMessage(raw);
    assertWithinBlockKit(fitted);
    for (const block of fitted.blocks as { type: string; text?: { type: string; text: string } }[]) {
      if (block.text?.type === 'mrkdwn') expectWholeEntities(block.text.text);
    }
    expectWholeEntities(fitted.text);
    const header = (fitted.blocks[0] as { text: { text: string } }).text.text;
    expect(header.length).to.be.at.most(150);
    expect(header.startsWith('Escalation: Beatriz')).to.equal(true);
    expect(header.isWellFormed()).to.equal(true);
    // the buttons and the link survive
    expect(JSON.stringify(fitted.blocks)).to.include('"approve"').and.include('Open the negotiation');
    // nothing raw reaches Slack: no mention, no channel ping
    expect(JSON.stringify(fitted)).not.to.include('<!channel>').and.not.include('<@U123');
  });

  it('cuts never split a character: surrogate pairs, flags and ZWJ sequences stay whole', () => {
    const family = '👩‍👩‍👧‍👦';
    for (let pad = 0; pad < 16; pad++) {
      const text = `${'a'.repeat(pad)}${family}🇧🇷😀${'b'.repeat(10)}`;
      for (let max = pad ? pad + 1 : family.length + 1; max < text.length; max++) {
        const cut = cutPlain(text, max);
        expect(cut.length).to.be.at.most(max);
        expect(cut.isWellFormed()).to.equal(true);
        const kept = cut.endsWith('…') ? cut.slice(0, -1) : cut;
        expect(text.startsWith(kept)).to.equal(true);
        // the kept part ends on a grapheme boundary of the original
        const boundaries = new Set(
          [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].map((s) => s.index),
        );
        boundaries.add(text.length);
        expect(boundaries.has(kept.length), `${JSON.stringify(cut)} at ${max}`).to.equal(true);
      }
    }
  });

  it('escaped text is cut after escaping and never inside &amp; or a <link|label>', () => {
    for (let max = 5; max < 60; max++) {
      const cut = cutMrkdwn('a&amp;b&lt;&gt;c <http://x.example/a|the link> &amp;&amp;&amp;&amp;&amp;', max);
      expect(cut.length).to.be.at.most(max);
      expectWholeEntities(cut);
    }
  });

  it('a campaign notice with 150 skipped rows stays one message of a few sections, every row shown', () => {
    const lines = Array.from(
      { length: 150 },
      (_, i) => `Not started: Influencer ${i} & <Co> — invalid email: not-an-address-${i}<at>example`,
    );
    const message = fitMessage(noticeMessage('Campaign Glow (cmp-1): 0 negotiations started from the request', lines));
    assertWithinBlockKit(message);
    const all = JSON.stringify(message.blocks);
    for (let i = 0; i < 150; i++) expect(all).to.include(`Influencer ${i} &amp;`);
    expect(message.blocks.length).to.be.within(2, 10);
  });

  it('a notice far beyond one message is cut with "…and N more", never refused', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `Not started: row ${i} — ${'&'.repeat(50)}`);
    const message = fitMessage(noticeMessage('Huge sheet', lines));
    assertWithinBlockKit(message);
    expect(JSON.stringify(message.blocks)).to.match(/…and \d+ more/);
    expect(texts(message.blocks)).to.be.below(200_000);
  });

  it('more than 50 blocks, 10 fields or 25 buttons are brought within limits, keeping the header and the buttons', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'Title' } },
      {
        type: 'section',
        fields: Array.from({ length: 23 }, (_, i) => ({ type: 'mrkdwn', text: `*F${i}*\n${'v'.repeat(2500)}` })),
      },
      ...Array.from({ length: 70 }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `S${i}` } })),
      {
        type: 'actions',
        block_id: 'negotiation:n1',
        elements: Array.from({ length: 30 }, (_, i) => ({
          type: 'button',
          text: { type: 'plain_text', text: `Button ${i} ${'🎉'.repeat(60)}` },
          action_id: `a${i}`,
          value: 'v'.repeat(2500),
        })),
      },
    ];
    const fitted = fitBlocks(blocks);
    expect(blockProblems(fitted)).to.deep.equal([]);
    expect((fitted[0] as { type: string }).type).to.equal('header');
    expect((fitted.at(-1) as { type: string }).type).to.equal('actions');
    expect(JSON.stringify(fitted)).to.match(/…and \d+ more blocks not shown/);
  });

  it('the plain version of a message keeps what people need: the name, the reason, the link', () => {
    const fitted = fitMessage(escalationMessage(notify(), { link: 'http://h.example/n/neg-1', conversation: [] }));
    const plain = plainVersion(fitted);
    expect(plain)
      .to.include('Escalation: Beatriz')
      .and.include('Their ask is above the cap')
      .and.include('http://h.example/n/neg-1');
    expect(plain.length).to.be.at.most(39_000);
  });
});

describe('Block Kit against the fake Slack (real WebClient)', () => {
  let fake: FakeSlack;
  let client: WebClient;
  beforeEach(async () => {
    fake = await startFakeSlack();
    client = new WebClient(fake.token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logger: silent });
  });
  afterEach(() => fake.close());

  const chatMessage = (key: string, m: { text: string; blocks: unknown[] }): ChatMessage => ({
    key,
    channel: CHANNEL,
    negotiationId: 'neg-1',
    kind: 'escalation',
    threadTs: null,
    ...m,
  });

  it('refuses an over-long section like Slack: invalid_blocks with errors and response_metadata', async () => {
    const error = await client.chat
      .postMessage({
        channel: CHANNEL,
        text: 'x',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'a'.repeat(3001) } }],
      })
      .then(
        () => null,
        (e) => e,
      );
    expect(error?.data?.error).to.equal('invalid_blocks');
    expect(error.data.errors).to.deep.equal(['must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
    expect(error.data.response_metadata.messages[0]).to.match(/^\[ERROR\] must be less than 3001 characters/);
    expect(fake.posted()).to.have.length(0);
  });

  it('the Slack adapter posts the long escalation and the 150-row notice, and the fake accepts both', async () => {
    const chat = createSlackChat({ client });
    const escalation = escalationMessage(notify(), { link: 'http://h.example/n/neg-1', conversation });
    await chat.post(chatMessage('k-esc', escalation));
    const lines = Array.from({ length: 160 }, (_, i) => `Not started: Row ${i} <x> — no email address`);
    await chat.post({ ...chatMessage('k-notice', noticeMessage('Campaign X', lines)), kind: 'notice' });
    expect(fake.refused()).to.deep.equal([]);
    const [posted, notice] = fake.posted(CHANNEL);
    expect(posted.blocks.length).to.be.greaterThan(3);
    expect(posted.text.length).to.be.at.most(4000);
    expect(posted.text).not.to.match(/<(?!\/)/); // the fallback text is escaped like the blocks
    expect(JSON.stringify(notice.blocks)).to.include('Row 159');
  });

  it('a message Slack still refuses is posted as plain text, with its key, so the escalation is not lost', async () => {
    const refusedKeys: string[] = [];
    const chat = createSlackChat({ client, onRefused: (key, code) => refusedKeys.push(`${key}:${code}`) });
    fake.failNext('chat.postMessage', 'invalid_blocks');
    const { ts } = await chat.post(
      chatMessage('k-1', escalationMessage(notify(), { link: 'http://h.example/n/neg-1', conversation: [] })),
    );
    const [message] = fake.posted(CHANNEL);
    expect(message.ts).to.equal(ts);
    expect(message.blocks).to.deep.equal([]);
    expect(message.text).to.include('Escalation: Beatriz').and.include('http://h.example/n/neg-1');
    expect(message.metadata?.event_payload.key).to.equal('k-1');
    expect(refusedKeys).to.deep.equal(['k-1:invalid_blocks']);
    // a retry of the same key finds it: still one message
    await chat.post(chatMessage('k-1', { text: 'again', blocks: [] }));
    expect(fake.posted(CHANNEL)).to.have.length(1);
  });

  it('any other Slack error is not hidden behind a plain post (the caller retries)', async () => {
    const chat = createSlackChat({ client });
    fake.failNext('chat.postMessage', 'channel_not_found');
    const error = await chat.post(chatMessage('k-2', { text: 'hi', blocks: [] })).then(
      () => null,
      (e) => e,
    );
    expect(error?.data?.error).to.equal('channel_not_found');
    expect(fake.posted()).to.have.length(0);
  });

  it('chat.update fits the blocks (a decision added to a full message), and falls back to plain text if refused', async () => {
    const { ts } = await client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [{ type: 'divider' }] });
    const many = Array.from({ length: 60 }, (_, i) => ({
      type: 'section',
      text: { type: 'mrkdwn', text: `${i} ${'&amp;'.repeat(700)}` },
    }));
    await update(client, CHANNEL, ts as string, 'Escalation &amp; more', many);
    expect(fake.refused()).to.deep.equal([]);
    expect(fake.message(CHANNEL, ts as string)?.blocks.length).to.equal(50);
    fake.failNext('chat.update', 'invalid_blocks');
    await update(client, CHANNEL, ts as string, 'Escalation &amp; more', many.slice(0, 2));
    const after = fake.message(CHANNEL, ts as string);
    expect(after?.blocks).to.deep.equal([]);
    expect(after?.text).to.include('0 &amp;');
  });
});

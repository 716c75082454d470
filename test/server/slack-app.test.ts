import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SocketModeReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { expect } from 'chai';
import Koa from 'koa';
import { createLogger } from '../../server/logger.ts';
import { Conflict, Unprocessable } from '../../services/errors.ts';
import {
  createSlackApp,
  negotiationBlockId,
  parseDollarsToCents,
  type SlackApp,
  type SlackHandlers,
} from '../../server/slack-app.ts';
import {
  blockActionsPayload,
  type FakeSlack,
  slashCommandPayload,
  signSlackRequest,
  startFakeSlack,
  viewSubmissionPayload,
} from '../support/fake-slack.ts';

const SECRET = 'signing-secret-for-tests';
const CHANNEL = 'C0ESCALATE';
const FORM = 'application/x-www-form-urlencoded';
const logger = createLogger('error', true);

async function waitFor<T>(probe: () => T | undefined | false, what: string, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Call = [string, ...unknown[]];

function recordingHandlers(calls: Call[], failWith: { error?: Error } = {}): SlackHandlers {
  const run = async (name: string, ...args: unknown[]) => {
    calls.push([name, ...args]);
    if (failWith.error) throw failWith.error;
  };
  return {
    // The escalation a bound button names (D19) is recorded after the user when there is one.
    approve: (id, cents, user, escalation) => run('approve', id, cents, user, ...(escalation ? [escalation] : [])),
    walkAway: (id, user, escalation) => run('walkAway', id, user, ...(escalation ? [escalation] : [])),
    takeOver: (id, user, escalation) => run('takeOver', id, user, ...(escalation ? [escalation] : [])),
    resume: (id, user, escalation) => run('resume', id, user, ...(escalation ? [escalation] : [])),
    async claim(ref, user) {
      await run('claim', ref, user);
      return `Claimed ${ref}: the agent stops answering`;
    },
    async resumeRef(ref, user) {
      await run('resumeRef', ref, user);
      return `Resumed ${ref}`;
    },
    async audit(query) {
      await run('audit', query);
      return `2 audit entries for ${query}`;
    },
    isAllowed: (user) => user !== 'UOUTSIDER',
  };
}

function escalationBlocks(negotiationId: string, escalation?: number) {
  const button = (text: string, action_id: string, value: string) => ({
    type: 'button',
    text: { type: 'plain_text', text },
    action_id,
    value,
  });
  return [
    { type: 'header', text: { type: 'plain_text', text: 'Escalation: Maya Lopez' } },
    { type: 'section', text: { type: 'mrkdwn', text: '*Reason:*\nCPM above ceiling' } },
    {
      type: 'actions',
      block_id: negotiationBlockId(negotiationId, escalation),
      elements: [
        button('Approve counter at $2,600.00', 'approve', '260000'),
        button('Other amount…', 'approve_other', '260000'),
        button('Walk away', 'walk_away', negotiationId),
        button('Take over', 'take_over', negotiationId),
      ],
    },
  ];
}

describe('Slack app over HTTP (POST /slack/events)', () => {
  let fake: FakeSlack;
  let slack: SlackApp;
  let server: Server;
  let url: string;
  let calls: Call[];
  let failWith: { error?: Error };
  let message: { ts: string; text: string; blocks: unknown[] };

  beforeEach(async () => {
    fake = await startFakeSlack();
    calls = [];
    failWith = {};
    slack = createSlackApp({
      mode: 'http',
      signingSecret: SECRET,
      botToken: fake.token,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
      handlers: recordingHandlers(calls, failWith),
      logger,
      botId: 'BBOT',
      botUserId: 'UBOT',
    });
    const koa = new Koa();
    koa.use(slack.middleware!);
    koa.use((ctx) => {
      ctx.body = { passedThrough: ctx.path };
    });
    server = koa.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new WebClient(fake.token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    const posted = await client.chat.postMessage({
      channel: CHANNEL,
      text: 'Escalation: Maya Lopez',
      blocks: escalationBlocks('neg-1') as never,
    });
    message = { ts: posted.ts!, text: 'Escalation: Maya Lopez', blocks: escalationBlocks('neg-1') };
  });

  afterEach(async () => {
    await slack.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await fake.close();
  });

  async function send(
    body: string,
    contentType = FORM,
    headers: Record<string, string> = signSlackRequest(body, SECRET),
  ) {
    const res = await fetch(`${url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...headers },
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies through assertions
    return { status: res.status, body: parsed as any };
  }

  const click = (actionId: string, value?: string, user = 'U123') =>
    blockActionsPayload({
      user,
      actionId,
      blockId: negotiationBlockId('neg-1'),
      value,
      channel: CHANNEL,
      message,
      responseUrl: fake.responseUrl(),
    });

  const ephemeralTexts = () => fake.responses().map((r) => String(r.body.text));
  const blockTexts = (blocks: unknown[]) => JSON.stringify(blocks);

  it('a signed approve click calls approve with cents and shows the decision instead of the buttons', async () => {
    const res = await send(click('approve', '260000'));
    expect(res.status).to.equal(200);
    await waitFor(() => fake.updated().length > 0, 'chat.update');
    expect(calls).to.deep.equal([['approve', 'neg-1', 260000, 'U123']]);
    const [updated] = fake.updated();
    expect(updated).to.include({ channel: CHANNEL, ts: message.ts });
    expect(blockTexts(updated.blocks)).to.contain('Approved at $2,600.00 by <@U123>');
    expect(blockTexts(updated.blocks)).to.contain('Escalation: Maya Lopez'); // the rest of the message stays
    const actions = updated.blocks.filter((b) => (b as { type: string }).type === 'actions');
    expect(actions).to.have.length(0);
  });

  it('rejects a wrong signature with 401 and dispatches nothing', async () => {
    const body = click('approve', '260000');
    const res = await send(body, FORM, signSlackRequest(body, 'not-the-secret'));
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal('bad_signature');
    const unsigned = await send(body, FORM, {});
    expect(unsigned.status).to.equal(401);
    await pause(100);
    expect(calls).to.deep.equal([]);
    expect(fake.updated()).to.deep.equal([]);
  });

  it('rejects a stale (or far-future) timestamp with 401 and dispatches nothing', async () => {
    const body = click('approve', '260000');
    const now = Math.floor(Date.now() / 1000);
    const stale = await send(body, FORM, signSlackRequest(body, SECRET, now - 6 * 60));
    expect(stale.status).to.equal(401);
    expect(stale.body.error).to.include({ code: 'bad_signature' });
    expect(stale.body.error.message).to.contain('5 minutes');
    const future = await send(body, FORM, signSlackRequest(body, SECRET, now + 6 * 60));
    expect(future.status).to.equal(401);
    await pause(100);
    expect(calls).to.deep.equal([]);
  });

  it('rejects a body changed after signing', async () => {
    const body = click('approve', '260000');
    const headers = signSlackRequest(body, SECRET);
    const res = await send(click('approve', '990000'), FORM, headers);
    expect(res.status).to.equal(401);
    await pause(50);
    expect(calls).to.deep.equal([]);
  });

  it('refuses a user who is not an approver, ephemerally', async () => {
    const res = await send(click('approve', '260000', 'UOUTSIDER'));
    expect(res.status).to.equal(200);
    await waitFor(() => fake.responses().length > 0, 'an ephemeral reply');
    expect(fake.responses()[0].body).to.include({ response_type: 'ephemeral', replace_original: false });
    expect(ephemeralTexts()[0]).to.contain('not allowed');
    expect(calls).to.deep.equal([]);
    expect(fake.updated()).to.deep.equal([]);
  });

  it("reports the handler's refusal ephemerally and leaves the buttons", async () => {
    failWith.error = new Conflict('invalid_state', 'Cannot walk away a negotiation that is agreed');
    await send(click('walk_away', 'neg-1'));
    await waitFor(() => fake.responses().length > 0, 'an ephemeral reply');
    expect(ephemeralTexts()).to.deep.equal(['Could not walk away: Cannot walk away a negotiation that is agreed']);
    expect(fake.updated()).to.deep.equal([]);
  });

  it('does not show internal error messages', async () => {
    failWith.error = new Error('SQLITE_BUSY: database is locked');
    await send(click('walk_away', 'neg-1'));
    await waitFor(() => fake.responses().length > 0, 'an ephemeral reply');
    expect(ephemeralTexts()[0]).to.equal('Could not walk away: Something went wrong; the error was logged');
  });

  it('take over shows a Resume agent button, and resume calls the handler', async () => {
    await send(click('take_over', 'neg-1'));
    const afterTakeOver = await waitFor(() => fake.updated()[0], 'chat.update');
    expect(calls).to.deep.equal([['takeOver', 'neg-1', 'U123']]);
    expect(blockTexts(afterTakeOver.blocks)).to.contain('Taken over by <@U123>');
    expect(blockTexts(afterTakeOver.blocks)).to.contain('"action_id":"resume_agent"');
    message = { ...message, blocks: afterTakeOver.blocks };
    await send(click('resume_agent', 'neg-1', 'U456'));
    const afterResume = await waitFor(() => fake.updated()[1], 'second chat.update');
    expect(calls[1]).to.deep.equal(['resume', 'neg-1', 'U456']);
    expect(blockTexts(afterResume.blocks)).to.contain('Agent resumed by <@U456>');
    expect(blockTexts(afterResume.blocks)).to.not.contain('Taken over');
    expect(blockTexts(afterResume.blocks)).to.not.contain('resume_agent');
  });

  describe('buttons bound to their escalation (D19)', () => {
    const bound = (actionId: string, value?: string) =>
      blockActionsPayload({
        user: 'U123',
        actionId,
        blockId: negotiationBlockId('neg-1', 3),
        value,
        channel: CHANNEL,
        message: { ...message, blocks: escalationBlocks('neg-1', 3) },
        responseUrl: fake.responseUrl(),
      });

    it('hands the escalation number of the clicked button to the handlers; take over keeps it on Resume agent', async () => {
      expect(negotiationBlockId('neg-1', 3)).to.equal('negotiation:neg-1#3');
      await send(bound('take_over', 'neg-1'));
      const updated = await waitFor(() => fake.updated()[0], 'chat.update');
      expect(calls).to.deep.equal([['takeOver', 'neg-1', 'U123', 3]]);
      expect(blockTexts(updated.blocks)).to.contain('"block_id":"negotiation:neg-1#3"');
      await send(bound('approve', '260000'));
      await waitFor(() => calls.length === 2, 'approve');
      expect(calls[1]).to.deep.equal(['approve', 'neg-1', 260000, 'U123', 3]);
    });

    it('carries the escalation number through the amount modal', async () => {
      await send(bound('approve_other', '260000'));
      const view = (await waitFor(() => fake.views()[0], 'views.open')).view as { private_metadata: string };
      expect(JSON.parse(view.private_metadata)).to.include({ negotiationId: 'neg-1', escalation: 3 });
      await send(
        viewSubmissionPayload({
          user: 'U123',
          callbackId: 'approve_other',
          privateMetadata: view.private_metadata,
          values: { amount: { amount: '2,450' } },
        }),
      );
      await waitFor(() => calls.length === 1, 'approve');
      expect(calls[0]).to.deep.equal(['approve', 'neg-1', 245000, 'U123', 3]);
    });

    it('refuses ephemerally when the handler says the escalation is an older one, and changes the message not', async () => {
      failWith.error = new Conflict(
        'stale_escalation',
        'This button belongs to escalation #3; the negotiation has escalated again since (#4).',
      );
      await send(bound('approve', '260000'));
      await waitFor(() => fake.responses().length > 0, 'an ephemeral reply');
      expect(ephemeralTexts()[0]).to.contain('escalated again');
      expect(fake.updated()).to.deep.equal([]);
    });
  });

  describe('approve with another amount', () => {
    async function openModal() {
      await send(click('approve_other', '260000'));
      const opened = await waitFor(() => fake.views()[0], 'views.open');
      expect(opened.trigger_id).to.equal('trigger-approve_other');
      return opened.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    }
    const submit = (privateMetadata: string, amount: string, user = 'U123') =>
      send(
        viewSubmissionPayload({
          user,
          callbackId: 'approve_other',
          privateMetadata,
          values: { amount: { amount } },
        }),
      );

    it('opens a modal with an amount field prefilled with the suggestion', async () => {
      const view = await openModal();
      expect(view.callback_id).to.equal('approve_other');
      expect(JSON.parse(view.private_metadata)).to.deep.equal({
        negotiationId: 'neg-1',
        channel: CHANNEL,
        ts: message.ts,
      });
      expect(JSON.stringify(view.blocks)).to.contain('"initial_value":"$2,600.00"');
      expect(calls).to.deep.equal([]);
    });

    it('"2,600" approves at 260000 cents and updates the original message', async () => {
      const view = await openModal();
      const res = await submit(view.private_metadata, '2,600');
      expect(res.status).to.equal(200);
      expect(res.body).to.equal(''); // an empty ack closes the modal
      const updated = await waitFor(() => fake.updated()[0], 'chat.update');
      expect(calls).to.deep.equal([['approve', 'neg-1', 260000, 'U123']]);
      expect(blockTexts(updated.blocks)).to.contain('Approved at $2,600.00 by <@U123>');
      expect(blockTexts(updated.blocks)).to.contain('Escalation: Maya Lopez');
    });

    it('"abc" is answered with a field error and approves nothing', async () => {
      const view = await openModal();
      const res = await submit(view.private_metadata, 'abc');
      expect(res.status).to.equal(200);
      expect(res.body.response_action).to.equal('errors');
      expect(res.body.errors.amount).to.contain('US dollars');
      await pause(100);
      expect(calls).to.deep.equal([]);
    });

    it('a refused approval is reported with chat.postEphemeral (a modal has no response_url)', async () => {
      const view = await openModal();
      failWith.error = new Unprocessable(
        'rate_above_ask',
        'We never offer more than they asked: approve at most $2,500.00',
      );
      await submit(view.private_metadata, '2600');
      const ephemeral = await waitFor(() => fake.ephemerals()[0], 'chat.postEphemeral');
      expect(ephemeral).to.include({ channel: CHANNEL, user: 'U123' });
      expect(ephemeral.text).to.contain('approve at most $2,500.00');
      expect(fake.updated()).to.deep.equal([]);
    });

    it('refuses a non-approver before opening the modal', async () => {
      await send(click('approve_other', '260000', 'UOUTSIDER'));
      await waitFor(() => fake.responses().length > 0, 'an ephemeral reply');
      expect(ephemeralTexts()[0]).to.contain('not allowed');
      expect(fake.views()).to.deep.equal([]);
    });
  });

  describe('slash commands', () => {
    const command = (name: string, text: string, user = 'U123') =>
      send(slashCommandPayload({ command: name, text, user, responseUrl: fake.responseUrl('cmd') }));

    it('/claim calls claim with the reference and answers ephemerally', async () => {
      const res = await command('/claim', '  maya@gmail.com ');
      expect(res.status).to.equal(200);
      await waitFor(() => fake.responses().length > 0, 'the reply');
      expect(calls).to.deep.equal([['claim', 'maya@gmail.com', 'U123']]);
      expect(fake.responses()[0].body).to.include({
        response_type: 'ephemeral',
        text: 'Claimed maya@gmail.com: the agent stops answering',
      });
    });

    it('/resume calls resumeRef with the reference', async () => {
      await command('/resume', 'neg-1');
      await waitFor(() => fake.responses().length > 0, 'the reply');
      expect(calls).to.deep.equal([['resumeRef', 'neg-1', 'U123']]);
      expect(ephemeralTexts()).to.deep.equal(['Resumed neg-1']);
    });

    it('/claim without a reference shows the usage', async () => {
      await command('/claim', ' ');
      await waitFor(() => fake.responses().length > 0, 'the reply');
      expect(ephemeralTexts()[0]).to.match(/^Usage: \/claim/);
      expect(calls).to.deep.equal([]);
    });

    it('/audit passes its arguments and shows the text', async () => {
      await command('/audit', 'influencer:maya last:7d');
      await waitFor(() => fake.responses().length > 0, 'the reply');
      expect(calls).to.deep.equal([['audit', 'influencer:maya last:7d']]);
      expect(ephemeralTexts()).to.deep.equal(['2 audit entries for influencer:maya last:7d']);
    });

    it('refuses a non-approver', async () => {
      await command('/claim', 'neg-1', 'UOUTSIDER');
      await waitFor(() => fake.responses().length > 0, 'the reply');
      expect(ephemeralTexts()[0]).to.contain('not allowed');
      expect(calls).to.deep.equal([]);
    });
  });

  it('answers the url_verification challenge (signed JSON)', async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'challenge-123', type: 'url_verification' });
    const res = await send(body, 'application/json');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ challenge: 'challenge-123' });
    const forged = await send(body, 'application/json', signSlackRequest(body, 'wrong'));
    expect(forged.status).to.equal(401);
  });

  it('acknowledges an Events API event with 200', async () => {
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0FAKE',
      api_app_id: 'A0FAKE',
      event: { type: 'app_home_opened', user: 'U123', channel: 'D1', tab: 'home' },
      event_id: 'Ev1',
      event_time: 1,
    });
    const res = await send(body, 'application/json');
    expect(res.status).to.equal(200);
  });

  it('passes other paths through and refuses GET', async () => {
    const other = await fetch(`${url}/health`);
    expect(await other.json()).to.deep.equal({ passedThrough: '/health' });
    const get = await fetch(`${url}/slack/events`);
    expect(get.status).to.equal(405);
  });
});

describe('Slack app in Socket Mode', () => {
  it('builds on Bolt’s SocketModeReceiver with the app token and has no HTTP middleware', async () => {
    const slack = createSlackApp({
      mode: 'socket',
      appToken: 'xapp-1-test',
      botToken: 'xoxb-test',
      handlers: recordingHandlers([]),
      logger,
    });
    expect(slack.receiver).to.be.instanceOf(SocketModeReceiver);
    expect(slack.middleware).to.equal(null);
  });

  it('needs its token or secret', () => {
    const base = { botToken: 'xoxb-test', handlers: recordingHandlers([]), logger };
    expect(() => createSlackApp({ ...base, mode: 'socket' })).to.throw('SLACK_APP_TOKEN');
    expect(() => createSlackApp({ ...base, mode: 'http' })).to.throw('SLACK_SIGNING_SECRET');
  });
});

describe('parseDollarsToCents', () => {
  it('parses dollars exactly', () => {
    const cases: [string, number][] = [
      ['2,600', 260000],
      ['2600', 260000],
      ['$2,600.5', 260050],
      ['2600.05', 260005],
      [' $ 12,345,678.99 ', 1234567899],
      ['0.01', 1],
    ];
    for (const [text, cents] of cases) expect(parseDollarsToCents(text), text).to.deep.equal({ cents });
  });

  it('rejects anything that is not a plain dollar amount', () => {
    for (const text of ['abc', '', '2,60', '26,00', '1.234', '-5', '0', '0.00', '2.6k', '1e3', '2600 EUR']) {
      expect(parseDollarsToCents(text), text).to.have.property('error');
    }
  });
});

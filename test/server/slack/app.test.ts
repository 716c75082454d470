/** The Slack app (server/slack/) over HTTP and in Socket Mode, and its dollar parser; setup in slack-app-kit.ts. */
import { SocketModeReceiver } from '@slack/bolt';
import { expect } from 'chai';
import { Conflict } from '../../../services/errors.ts';
import { createSlackApp } from '../../../server/slack/app.ts';
import { parseDollarsToCents } from '../../../server/slack/blocks.ts';
import { signSlackRequest } from '../../support/fake-slack.ts';
import {
  blockTexts,
  CHANNEL,
  calls,
  click,
  ephemeralTexts,
  FORM,
  fake,
  failWith,
  logger,
  message,
  updateMessage,
  pause,
  SECRET,
  send,
  url,
  useSlackHttpApp,
  waitFor,
  recordingHandlers,
} from './app-kit.ts';

describe('Slack app over HTTP (POST /slack/events)', () => {
  useSlackHttpApp();

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
    updateMessage(afterTakeOver.blocks);
    await send(click('resume_agent', 'neg-1', 'U456'));
    const afterResume = await waitFor(() => fake.updated()[1], 'second chat.update');
    expect(calls[1]).to.deep.equal(['resume', 'neg-1', 'U456']);
    expect(blockTexts(afterResume.blocks)).to.contain('Agent resumed by <@U456>');
    expect(blockTexts(afterResume.blocks)).to.not.contain('Taken over');
    expect(blockTexts(afterResume.blocks)).to.not.contain('resume_agent');
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

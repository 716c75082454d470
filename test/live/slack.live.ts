/**
 * Opt-in live test against a real Slack workspace (`npm run test:live`); skipped without SLACK_BOT_TOKEN and
 * SLACK_LIVE_CHANNEL (a channel id the bot is in). Posts one message, twice with the same key: Slack shows it once.
 */
import { randomBytes } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { expect } from 'chai';
import { createSlackChat, slackClientOptions, verifyAuth } from '../../services/chat/slack.ts';

describe('live: Slack', function () {
  this.timeout(60_000);
  const token = process.env.SLACK_BOT_TOKEN;
  const channel = process.env.SLACK_LIVE_CHANNEL;

  before(function () {
    if (!token || !channel) this.skip();
  });

  it('the bot token is accepted and a keyed post appears once', async () => {
    const client = new WebClient(token, slackClientOptions());
    await verifyAuth(client);
    const chat = createSlackChat({ client });
    const message = {
      key: `live-test:${randomBytes(6).toString('hex')}`,
      channel: channel as string,
      text: 'Live test of the negotiation agent (safe to delete)',
      blocks: [],
      negotiationId: null,
      kind: 'notice' as const,
      threadTs: null,
    };
    const first = await chat.post(message);
    const second = await chat.post(message);
    expect(second.ts).to.equal(first.ts);
  });
});

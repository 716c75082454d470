/** Shared setup of the Slack app tests (slack-app*.test.ts): the app over HTTP against the fake Slack. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import Koa from 'koa';
import { createLogger } from '../../../server/observability/logger.ts';
import { createSlackApp, type SlackApp } from '../../../server/slack/app.ts';
import { negotiationBlockId } from '../../../server/slack/blocks.ts';
import type { SlackHandlers } from '../../../server/slack/listeners.ts';
import { blockActionsPayload, type FakeSlack, signSlackRequest, startFakeSlack } from '../../support/fake-slack.ts';

export const SECRET = 'signing-secret-for-tests';
export const CHANNEL = 'C0ESCALATE';
export const FORM = 'application/x-www-form-urlencoded';
export const logger = createLogger('error', true);

export async function waitFor<T>(probe: () => T | undefined | false, what: string, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Call = [string, ...unknown[]];

export function recordingHandlers(calls: Call[], failWith: { error?: Error } = {}): SlackHandlers {
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

export function escalationBlocks(negotiationId: string, escalation?: number) {
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

// The app under test, started before each test of a suite that calls useSlackHttpApp(). Exported as live bindings:
// a test file that imports `fake`, `calls`, `message`... sees the values of the current test.
export let fake: FakeSlack;
export let slack: SlackApp;
export let server: Server;
export let url: string;
export let calls: Call[];
export let failWith: { error?: Error };
export let message: { ts: string; text: string; blocks: unknown[] };

/** The escalation message the next click comes from now shows these blocks (as after a chat.update). */
export function updateMessage(blocks: unknown[]) {
  message = { ...message, blocks };
}

/** Starts the fake Slack and the app on a Koa server before each test, with an escalation message posted. */
export function useSlackHttpApp() {
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
}

export async function send(
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

export const click = (actionId: string, value?: string, user = 'U123') =>
  blockActionsPayload({
    user,
    actionId,
    blockId: negotiationBlockId('neg-1'),
    value,
    channel: CHANNEL,
    message,
    responseUrl: fake.responseUrl(),
  });

export const ephemeralTexts = () => fake.responses().map((r) => String(r.body.text));
export const blockTexts = (blocks: unknown[]) => JSON.stringify(blocks);

/**
 * The one retry rule (services/retry.ts) and the SDKs built with their own retries off, so the attempts an
 * outside system sees are exactly the helper's: counted at the fake Slack and the fake Messages API.
 */
import { WebClient } from '@slack/web-api';
import { expect } from 'chai';
import { loadConfig } from '../../server/config.ts';
import { slackClientOptions } from '../../services/chat/slack.ts';
import { loadKnowledgeBase } from '../../services/knowledge.ts';
import { createAnthropicNegotiator } from '../../services/model/anthropic.ts';
import { backoffMs, retry } from '../../services/retry.ts';
import { removeDir, tempDir } from '../support/agent.ts';
import { startFakeAnthropic } from '../support/fake-anthropic.ts';
import { startFakeSlack } from '../support/fake-slack.ts';

const policy = { attempts: 3, baseMs: 1 };
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (error: unknown) => error,
  );

describe('retry (services/retry.ts)', () => {
  it('backs off base, 2×base, 4×base…, capped', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs({ baseMs: 500 }, n))).to.deep.equal([500, 1000, 2000, 4000]);
    expect(backoffMs({ baseMs: 500, maxMs: 1500 }, 3)).to.equal(1500);
  });

  it('tries `attempts` times and throws the last error; a non-retryable error is thrown at once', async () => {
    const seen: number[] = [];
    const error = await failure(
      retry(async (attempt) => {
        seen.push(attempt);
        throw new Error(`failed ${attempt}`);
      }, policy),
    );
    expect(seen).to.deep.equal([1, 2, 3]);
    expect((error as Error).message).to.equal('failed 3');
    let calls = 0;
    await failure(
      retry(
        async () => {
          calls++;
          throw new Error('refused');
        },
        policy,
        { retryable: () => false },
      ),
    );
    expect(calls).to.equal(1);
    expect(await retry(async (attempt) => (attempt < 2 ? Promise.reject(new Error('once')) : 'ok'), policy)).to.equal(
      'ok',
    );
  });

  it('Slack (the agent client options): a post failing with 500 reaches Slack once per attempt', async () => {
    const fake = await startFakeSlack();
    try {
      for (let i = 0; i < 10; i++) fake.failNext('chat.postMessage', 500);
      const client = new WebClient(fake.token, slackClientOptions(fake.apiUrl));
      await failure(retry(() => client.chat.postMessage({ channel: 'C0ESCALATE', text: 'hi' }), policy));
      expect(fake.calls('chat.postMessage')).to.equal(3);
    } finally {
      await fake.close();
    }
  });

  it('the model (the configured defaults): a 529 reaches the Messages API once per attempt', async () => {
    const fake = await startFakeAnthropic();
    const dir = tempDir('retry-');
    try {
      const config = loadConfig(
        { MODEL_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: fake.url },
        dir,
      );
      if (config.model.provider !== 'anthropic') throw new Error('expected the Anthropic model');
      const knowledge = loadKnowledgeBase(new URL('../../knowledge_base', import.meta.url).pathname);
      const model = createAnthropicNegotiator(config.model.settings, { knowledge });
      fake.fail(529, 10);
      const classify = () => model.classify({ text: 'Sounds great!', influencerName: 'Maya', lastOfferCents: 200000 });
      await failure(retry(classify, policy));
      expect(fake.calls).to.have.length(3);
    } finally {
      removeDir(dir);
      await fake.close();
    }
  });
});

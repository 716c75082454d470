/**
 * Opt-in live test against the real Anthropic API (`npm run test:live`); skipped without ANTHROPIC_API_KEY.
 * It checks that the configured models exist and that a real reply and a real email go through our adapter.
 */
import { expect } from 'chai';
import { loadConfig } from '../../server/config.ts';
import { DEFAULT_FORBIDDEN_PHRASES, validateEmail } from '../../services/gate.ts';
import { loadKnowledgeBase } from '../../services/knowledge.ts';
import { createAnthropicNegotiator } from '../../services/model/anthropic.ts';

describe('live: Anthropic', function () {
  this.timeout(120_000);
  const hasKey = Boolean(process.env.ANTHROPIC_API_KEY);
  const config = loadConfig({
    ...process.env,
    AGENT_MODE: 'sandbox',
    MODEL_PROVIDER: hasKey ? 'anthropic' : 'offline',
  });
  before(function () {
    if (config.model.provider !== 'anthropic') this.skip();
  });
  const model = () => {
    if (config.model.provider !== 'anthropic') throw new Error('unreachable');
    return createAnthropicNegotiator(config.model.settings, { knowledge: loadKnowledgeBase(config.kbDir) });
  };

  it('the configured models exist', async () => {
    await model().checkModels();
  });

  it('classifies a counter and reads its rate', async () => {
    const c = await model().classify({
      text: 'Love the brand! For a Reel plus Stories I normally charge $2,200 - can we get closer to that?',
      influencerName: 'Maya Lopez',
      lastOfferCents: 200000,
    });
    expect([c.intent, c.askCents]).to.deep.equal(['counter', 220000]);
  });

  it('writes a counter email that passes the gate', async () => {
    const { prose } = await model().compose({
      kind: 'counter',
      influencerName: 'Maya',
      client: 'Glow Skincare',
      platform: 'instagram',
      rateCents: 200000,
      theirAskCents: 220000,
      deliverables: '1 Instagram Reel, 1 Instagram Story',
      instructions: null,
      extraAllowedCents: [],
      paymentTerms: 'within 30 days of content going live',
      agentName: 'Deals Team',
      attempt: 1,
      counterparty: { type: 'direct_influencer', agencyName: null },
      theirMessage: 'Asks for $2,200 for a Reel plus Stories.',
      rejectedBecause: [],
    });
    const gate = validateEmail({
      prose,
      allowedCents: [200000],
      requireSow: true,
      agreement: false,
      forbiddenPhrases: DEFAULT_FORBIDDEN_PHRASES,
    });
    expect(
      gate.failures.filter((f) => f.severity === 'error'),
      prose,
    ).to.deep.equal([]);
  });
});

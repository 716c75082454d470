/**
 * Shared setup of the brain tests (brain*.test.ts): one fake Messages API for the run, reset before each test, and
 * agents whose model is Claude through the real Anthropic SDK pointed at it; every agent is stopped after its test.
 */
import { expect } from 'chai';
import { findAmounts } from '../../services/amounts.ts';
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import { MAYA, mail, type SentMail, type TimelineItem, timelineOf } from '../support/e2e.ts';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic.ts';

/** The shared fixture of llm-email.md §10: floor = ceiling = $25 CPM, min $1,000, max $2,300 without approval. */
export const fixture = (overrides: Record<string, unknown> = {}) =>
  glowCampaign({
    id: 'cmp_001',
    cpmLeniency: '0',
    minCostPerInfluencer: '1000',
    maxCostWithoutApproval: '2300',
    deliverableScenarios: [
      '1 Instagram Reel, 2 Instagram Stories',
      '1 Instagram Reel, 1 Instagram Story',
      '1 Instagram Reel',
    ],
    influencers: [{ name: 'Maya Lopez', email: MAYA, platform: 'instagram', handle: '@maya', averageViews: 80000 }],
    ...overrides,
  });

export let fake: FakeAnthropic;
let agents: TestAgent[] = [];

export async function agent(env: Record<string, string> = {}): Promise<TestAgent> {
  const t = await startTestAgent({
    MODEL_PROVIDER: 'anthropic',
    ANTHROPIC_API_KEY: 'sk-test',
    ANTHROPIC_BASE_URL: fake.url,
    MODEL_MAX_RETRIES: '1',
    ...env,
  });
  agents.push(t);
  return t;
}

/**
 * Every email the agent sent in a test: the prose outside the scope-of-work block names no amount but the
 * email's own rate (the last figure of the block's Rate line), and requests were well formed.
 */
export function expectCleanEmails(sent: SentMail[]) {
  for (const m of sent) {
    const block = /Scope of Work:\n(?:- .*(?:\n|$))+/.exec(m.text)?.[0] ?? '';
    const rate = findAmounts(/- Rate: .*/.exec(block)?.[0] ?? '').at(-1)?.cents ?? null;
    const prose = m.text.replace(block, '');
    for (const amount of findAmounts(prose)) {
      expect(amount.cents, `"${amount.text}" in: ${m.text}`).to.equal(rate);
    }
  }
}

export const callsSince = (from: number) => fake.calls.slice(from);
export const escalationOf = (n: { timeline: TimelineItem[] }) => timelineOf(n, 'escalation').at(-1);

/** The fake Messages API for the file, reset before and checked after each test. Call it inside the describe of each test file that uses this kit. */
export function useBrainKit() {
  before(async () => {
    fake = await startFakeAnthropic();
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());
  afterEach(async function () {
    const running = agents;
    agents = [];
    for (const t of running) {
      if (this.currentTest?.state === 'passed') expectCleanEmails(await mail(t));
      await t.stop();
      removeDir(t.dataDir);
    }
    expect(fake.problems()).to.deep.equal([]);
  });
}

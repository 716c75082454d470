/**
 * Helpers of the end-to-end tests of the public HTTP contract (spec/api.md, decisions D1-D3, D6-D10, D13-D15): a
 * real agent runs in-process on a loopback port with its own temporary data directory (real SQLite, real HTTP), in
 * sandbox mode (local mailbox, Slack stand-in, deterministic offline negotiator, movable clock). Only HTTP is used.
 * Every agent started with `agent()` is stopped and its directory removed after each test.
 */
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../../support/agent.ts';
import { reply, slack, started, until, waitForState } from '../../support/e2e.ts';

let agents: TestAgent[] = [];

export async function agent(env: Record<string, string> = {}): Promise<TestAgent> {
  const t = await startTestAgent(env);
  agents.push(t);
  return t;
}

/** A campaign whose asks above $2,300 must be approved (the api.md example). */
export const capped = (overrides: Record<string, unknown> = {}) =>
  glowCampaign({ maxCostWithoutApproval: '2300', minCostPerInfluencer: '1000', ...overrides });

/** Escalates the api.md campaign with "My rate is $3,200" and returns the negotiation. */
export async function escalated(t: TestAgent) {
  const s = await started(t, capped());
  await reply(t, s.threadId, 'My rate is $3,200 for this package.');
  await waitForState(t, s.id, 'escalated');
  await until(async () => (await slack(t, s.id)).some((m) => m.kind === 'escalation'));
  return s;
}

/** Stops the agents a test started. Call it inside the describe of each test file that uses this kit. */
export function useAgents() {
  afterEach(async () => {
    const running = agents;
    agents = [];
    for (const t of running) {
      await t.stop();
      removeDir(t.dataDir);
    }
  });
}

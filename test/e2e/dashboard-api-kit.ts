/**
 * Shared setup of the dashboard API tests (dashboard-api*.test.ts): agents with a second API token, stopped after
 * each test, and campaign fixtures.
 */
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';

export const ALICE = 'alice-token-0123456789abcdef';
export const AS_ALICE = { authorization: `Bearer ${ALICE}` };

/** The agent as a caller holding `headers` sees it (the helpers of e2e.ts then send the token). */
export const as = (t: TestAgent, headers: Record<string, string>): TestAgent => ({
  ...t,
  call: (method, path, body, more = {}) => t.call(method, path, body, { ...headers, ...more }),
});

let agents: TestAgent[] = [];
export async function agent(env: Record<string, string> = {}) {
  const t = await startTestAgent(env);
  agents.push(t);
  return t;
}

export const CSV = [
  'Name,Email,Platform,Handle,Average Views,Engagement Rate,Notes',
  'Maya Lopez,maya@gmail.com,instagram,@maya,"80,000",4.5%,met at an event',
  'Bad Row,not-an-email,instagram,@bad,"50,000",3%,',
  'Leo Park,leo@gmail.com,,@leo,50k,,',
  'Maya Again,MAYA@gmail.com,instagram,,"80,000",,',
  ',nobody@example.com,,,"10,000",,',
].join('\n');

export const campaignFields = (overrides: Record<string, unknown> = {}) => {
  const { influencers: _, ...fields } = glowCampaign(overrides);
  return fields;
};

export const influencers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `Creator ${i}`, email: `creator${i}@gmail.com`, averageViews: 40000 }));

/** Stops the agents a test started. Call it inside the describe of each test file that uses this kit. */
export function useDashboardAgents() {
  afterEach(async () => {
    for (const t of agents) {
      await t.stop();
      removeDir(t.dataDir);
    }
    agents = [];
  });
}

/**
 * An escalation is refreshed in place when a new reply arrives (D16, D19): their latest ask, the suggestion, the
 * conversation. When Slack refuses that refresh through every retry, it is kept in the chat outbox with the
 * reply's post and done once Slack answers again, never lost and never posted twice. Real WebClient, fake Slack.
 */
import { expect } from 'chai';
import { removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import { createCampaign, MAYA, reply, until, waitForMailCount, waitForState } from '../support/e2e.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';

const ESCALATIONS = 'C0ESCALATE';

describe('escalation refreshed while Slack is down (D19)', () => {
  let fake: FakeSlack;
  let t: TestAgent;
  let dir: string;
  before(async () => {
    fake = await startFakeSlack();
    dir = tempDir('slack-refresh-');
    t = await startTestAgent(
      {
        CHAT_PROVIDER: 'slack',
        SLACK_BOT_TOKEN: fake.token,
        SLACK_SIGNING_SECRET: 'slack-signing-secret-for-tests',
        SLACK_API_URL: fake.apiUrl,
        SLACK_ESCALATION_CHANNEL: ESCALATIONS,
        SLACK_AGREEMENT_CHANNEL: 'C0DEALS01',
        CHAT_RETRY_SECONDS: '1',
      },
      dir,
    );
  });
  after(async () => {
    await t.stop();
    await fake.close();
    removeDir(dir);
  });

  it('keeps the refresh in the outbox and updates the escalation once Slack is back, posting the reply once', async () => {
    const created = await createCampaign(t, {
      id: 'cmp-refresh',
      client: 'Glow',
      platform: 'instagram',
      deliverables: '1 Instagram Reel, 2 Instagram Stories',
      cpmTarget: '25',
      cpmLeniency: '20',
      maxCostWithoutApproval: '2300',
      influencers: [{ name: 'Maya Lopez', email: MAYA, platform: 'instagram', averageViews: 80000 }],
    });
    const id = created.negotiations[0].id;
    const [opening] = await waitForMailCount(t, MAYA, 1);
    await reply(t, opening.threadId, 'My rate for this package is $3,200.');
    await waitForState(t, id, 'escalated');
    const escalation = await until(async () =>
      fake.posted(ESCALATIONS).find((m) => m.text.startsWith('Escalation') && !m.thread_ts),
    );
    // Every attempt of the refresh fails (the effect's retries, and the outbox's first passes).
    for (let i = 0; i < 6; i++) fake.failNext('chat.update', 'internal_error');
    await reply(t, opening.threadId, 'I could come down to $2,250.');
    const refreshed = await until(async () => {
      const now = fake.message(ESCALATIONS, escalation.ts);
      return now && JSON.stringify(now.blocks).includes('2,250') ? now : undefined;
    }, 20_000);
    expect(refreshed.ts).to.equal(escalation.ts);
    expect(fake.calls('chat.update')).to.be.greaterThan(6);
    const relayed = fake.posted(ESCALATIONS).filter((m) => m.thread_ts === escalation.ts);
    expect(relayed.map((m) => m.text)).to.deep.equal(['New reply from Maya Lopez (no automatic answer)']);
  });
});

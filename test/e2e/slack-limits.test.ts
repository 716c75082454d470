/**
 * What people receive in Slack stays within Block Kit's limits (decisions D19), end to end: a long escalation
 * (hundreds of & and <, emoji, a very long influencer name) and a campaign notice with 150+ skipped rows, through
 * the sandbox stand-in (every GET /sandbox/slack is validated by the test client) and through the REAL WebClient
 * against the fake Slack, which refuses what Slack refuses. A message Slack still refuses goes out as plain text.
 */
import { expect } from 'chai';
import { removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import { assertWithinBlockKit } from '../support/block-kit.ts';
import { createCampaign, MAYA, reply, slack, until, waitForMailCount, waitForState } from '../support/e2e.ts';
import { blockActionsPayload, type FakeSlack, signSlackRequest, startFakeSlack } from '../support/fake-slack.ts';

const ESCALATIONS = 'C0ESCALATE';
const SECRET = 'slack-signing-secret-for-tests';
const NAME = `Maya ${'de la Fuente-Villalobos '.repeat(5)}✨🇲🇽 ${'Lopez'.repeat(12)}`.slice(0, 190);
const NOISE = `${'R&D <team> & <friends> '.repeat(120)}${'&'.repeat(200)}${'<'.repeat(200)} 🎉`;

function campaign() {
  return {
    id: 'cmp-limits',
    client: 'Glow & <Co>',
    platform: 'instagram',
    deliverables: '1 Instagram Reel, 2 Instagram Stories',
    cpmTarget: '25',
    cpmLeniency: '20',
    maxCostWithoutApproval: '2300',
    influencers: [
      { name: NAME, email: MAYA, platform: 'instagram', averageViews: 80000 },
      ...Array.from({ length: 155 }, (_, i) => ({
        name: `Skipped <creator> & co ${i}`,
        email: `not-an-address-${i}`,
        platform: 'instagram',
        averageViews: 50000,
      })),
    ],
  };
}

/** Starts the campaign and escalates Maya with a reply full of & and <; returns the negotiation id. */
async function escalate(t: TestAgent): Promise<string> {
  const created = await createCampaign(t, campaign());
  expect(created.skipped).to.have.length(155);
  const id = created.negotiations[0].id;
  const [opening] = await waitForMailCount(t, MAYA, 1);
  await reply(t, opening.threadId, `My rate for this package is $3,200.\n\n${NOISE}\n\n${NOISE}`);
  await waitForState(t, id, 'escalated');
  return id;
}

describe('Slack messages within Block Kit limits (D19)', () => {
  let dirs: string[] = [];
  let agents: TestAgent[] = [];
  let fake: FakeSlack | null = null;
  afterEach(async () => {
    for (const t of agents) await t.stop();
    for (const d of dirs) removeDir(d);
    await fake?.close();
    agents = [];
    dirs = [];
    fake = null;
  });
  async function agent(env: Record<string, string> = {}) {
    const dir = tempDir('slack-limits-');
    dirs.push(dir);
    const t = await startTestAgent(env, dir);
    agents.push(t);
    return t;
  }

  it('sandbox: the long escalation and the 155-row notice are stored as Slack would accept them', async () => {
    const t = await agent();
    const id = await escalate(t);
    const messages = await until(async () => {
      const all = await slack(t); // validated against Block Kit by the test client
      return all.some((m) => m.kind === 'escalation') && all.some((m) => m.kind === 'notice') ? all : undefined;
    });
    const escalation = messages.find((m) => m.kind === 'escalation' && m.negotiationId === id);
    const notice = messages.find((m) => m.kind === 'notice');
    expect(escalation && notice).to.not.equal(undefined);
    const blocks = JSON.stringify(escalation?.blocks);
    expect(blocks).to.include('R&amp;D &lt;team&gt;').and.include('"approve"');
    expect(escalation?.text).not.to.match(/<(?!http)/);
    const noticeText = JSON.stringify(notice?.blocks);
    for (const i of [0, 77, 154]) expect(noticeText).to.include(`Skipped &lt;creator&gt; &amp; co ${i}`);
  });

  it('sandbox: a reply while escalated updates the escalation in place, fitted and escaped like a post', async () => {
    const t = await agent();
    const name = `<!channel> ${'🌸'.repeat(90)} Maya`;
    const created = await createCampaign(t, { ...campaign(), influencers: [{ ...campaign().influencers[0], name }] });
    const id = created.negotiations[0].id;
    const [opening] = await waitForMailCount(t, MAYA, 1);
    await reply(t, opening.threadId, 'My rate for this package is $3,200.');
    await waitForState(t, id, 'escalated');
    await reply(t, opening.threadId, `I could come down to $2,250. ${NOISE}`);
    const escalation = await until(async () => {
      const all = await slack(t); // validated against Block Kit by the test client
      const found = all.find((m) => m.kind === 'escalation' && m.negotiationId === id);
      return found && JSON.stringify(found.blocks).includes('2,250') ? found : undefined;
    });
    expect(escalation.text).to.include('&lt;!channel&gt;').and.not.include('<!channel>');
  });

  describe('live Slack (fake Slack API, real WebClient)', () => {
    async function slackAgent() {
      fake = await startFakeSlack();
      return agent({
        CHAT_PROVIDER: 'slack',
        SLACK_BOT_TOKEN: fake.token,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: fake.apiUrl,
        SLACK_ESCALATION_CHANNEL: ESCALATIONS,
        SLACK_AGREEMENT_CHANNEL: 'C0DEALS01',
      });
    }

    it('the long escalation and the notice are accepted by Slack as posted, and so is the update after a click', async () => {
      const t = await slackAgent();
      await escalate(t);
      const slackFake = fake as FakeSlack;
      const escalation = await until(async () =>
        slackFake.posted(ESCALATIONS).find((m) => m.text.startsWith('Escalation')),
      );
      await until(async () => slackFake.posted(ESCALATIONS).find((m) => /negotiations? started/.test(m.text)));
      expect(slackFake.refused()).to.deep.equal([]);
      for (const m of slackFake.posted()) assertWithinBlockKit(m);
      const header = (escalation.blocks[0] as { text: { text: string } }).text.text;
      expect(header.length).to.be.at.most(150);
      expect(header.isWellFormed()).to.equal(true);
      expect(header.startsWith('Escalation: Maya de la Fuente')).to.equal(true);

      // a click through Bolt updates that long message: the update is fitted too, and Slack takes it
      const actions = escalation.blocks.find((b) => (b as { type: string }).type === 'actions') as {
        block_id: string;
        elements: { action_id: string; value: string }[];
      };
      const button = actions.elements.find((e) => e.action_id === 'walk_away');
      const body = blockActionsPayload({
        user: 'U0ALICE',
        actionId: 'walk_away',
        blockId: actions.block_id,
        value: button?.value,
        channel: escalation.channel,
        message: { ts: escalation.ts, text: escalation.text, blocks: escalation.blocks },
        responseUrl: slackFake.responseUrl(),
      });
      const res = await fetch(`${t.url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(body, SECRET) },
        body,
      });
      expect(res.status).to.equal(200);
      const updated = await until(async () => slackFake.updated().find((u) => u.ts === escalation.ts));
      assertWithinBlockKit(updated);
      expect(JSON.stringify(updated.blocks)).to.include('Walked away by <@U0ALICE>');
      expect(slackFake.refused()).to.deep.equal([]);
    });

    it('a reply while escalated updates the message with its text escaped like a post', async () => {
      const t = await slackAgent();
      const slackFake = fake as FakeSlack;
      const name = '<!channel> Maya';
      const created = await createCampaign(t, { ...campaign(), influencers: [{ ...campaign().influencers[0], name }] });
      const id = created.negotiations[0].id;
      const [opening] = await waitForMailCount(t, MAYA, 1);
      await reply(t, opening.threadId, 'My rate for this package is $3,200.');
      await waitForState(t, id, 'escalated');
      const escalation = await until(async () =>
        slackFake.posted(ESCALATIONS).find((m) => m.text.startsWith('Escalation')),
      );
      await reply(t, opening.threadId, 'I could come down to $2,250.');
      const updated = await until(async () => slackFake.updated().find((u) => u.ts === escalation.ts));
      assertWithinBlockKit(updated);
      expect(updated.text).to.include('&lt;!channel&gt; Maya').and.not.include('<!channel>');
      expect(slackFake.refused()).to.deep.equal([]);
    });

    it('an escalation Slack still refuses reaches the channel as plain text', async () => {
      const t = await slackAgent();
      const slackFake = fake as FakeSlack;
      const created = await createCampaign(t, { ...campaign(), influencers: campaign().influencers.slice(0, 1) });
      const id = created.negotiations[0].id;
      const [opening] = await waitForMailCount(t, MAYA, 1);
      await until(async () => slackFake.posted(ESCALATIONS).find((m) => /negotiations? started/.test(m.text)));
      slackFake.failNext('chat.postMessage', 'invalid_blocks');
      await reply(t, opening.threadId, 'My rate for this package is $3,200.');
      await waitForState(t, id, 'escalated');
      const plain = await until(async () => slackFake.posted(ESCALATIONS).find((m) => m.text.includes('Escalation')));
      expect(plain.blocks).to.deep.equal([]);
      expect(plain.text).to.include('Maya de la Fuente').and.include(id);
      expect(plain.metadata?.event_payload.negotiation_id).to.equal(id);
    });
  });
});

/**
 * Slack end to end: a real agent whose chat is Slack through the REAL @slack/web-api client and Bolt, pointed at
 * the local fake Slack API; clicks and slash commands are signed the way Slack signs them (decisions D6, D8).
 * Mail stays in the sandbox mailbox, so replies are delivered with POST /sandbox/mail.
 */
import { expect } from 'chai';
import { removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import {
  createCampaign,
  MAYA,
  mail,
  negotiation,
  reply,
  timelineOf,
  until,
  waitForMailCount,
  waitForReceived,
  waitForState,
} from '../support/e2e.ts';
import {
  blockActionsPayload,
  type FakeMessage,
  type FakeSlack,
  signSlackRequest,
  slashCommandPayload,
  startFakeSlack,
} from '../support/fake-slack.ts';

const SECRET = 'slack-signing-secret-for-tests';
const ESCALATIONS = 'C0ESCALATE';
const DEALS = 'C0DEALS01';

let slack: FakeSlack;
let dataDir: string;
let agents: TestAgent[] = [];

async function agent(env: Record<string, string> = {}): Promise<TestAgent> {
  const t = await startTestAgent(
    {
      CHAT_PROVIDER: 'slack',
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_ESCALATION_CHANNEL: ESCALATIONS,
      SLACK_AGREEMENT_CHANNEL: DEALS,
      ...env,
    },
    dataDir,
  );
  agents.push(t);
  return t;
}

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('Slack (e2e)', () => {
  beforeEach(async () => {
    slack = await startFakeSlack();
    dataDir = tempDir('slack-e2e-');
  });
  afterEach(async () => {
    for (const t of agents) await t.stop();
    agents = [];
    await slack.close();
    removeDir(dataDir);
  });

  async function post(t: TestAgent, body: string, headers: Record<string, string>) {
    const res = await fetch(`${t.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    return { status: res.status, text: await res.text() };
  }
  const signed = (t: TestAgent, body: string) => post(t, body, signSlackRequest(body, SECRET));

  /** A capped campaign escalated by "My rate is $3,200" (or `rate`); returns its Slack escalation message. */
  async function escalated(t: TestAgent, rate = '$3,200') {
    const created = await createCampaign(t, {
      id: 'cmp-1',
      client: 'Glow Skincare',
      platform: 'instagram',
      deliverables: '1 Instagram Reel, 2 Instagram Stories',
      cpmTarget: '25',
      cpmLeniency: '20',
      maxCostWithoutApproval: '2300',
      influencers: [{ name: 'Maya Lopez', email: MAYA, platform: 'instagram', averageViews: 80000 }],
    });
    const id = created.negotiations[0].id;
    const [opening] = await waitForMailCount(t, MAYA, 1);
    await reply(t, opening.threadId, `My rate for this package is ${rate}.`);
    await waitForState(t, id, 'escalated');
    const message = await until(async () => slack.posted(ESCALATIONS).find((m) => m.text.startsWith('Escalation')));
    return { id, threadId: opening.threadId, message };
  }

  function click(message: FakeMessage, actionId: string, user = 'U0ALICE', value?: string) {
    const actions = (
      message.blocks as { type: string; block_id?: string; elements?: { action_id: string; value: string }[] }[]
    ).find((b) => b.type === 'actions');
    const button = actions?.elements?.find((e) => e.action_id === actionId);
    if (!actions?.block_id || !button) throw new Error(`no ${actionId} button on the message`);
    return blockActionsPayload({
      user,
      actionId,
      blockId: actions.block_id,
      value: value ?? button.value,
      channel: message.channel,
      message: { ts: message.ts, text: message.text, blocks: message.blocks },
      responseUrl: slack.responseUrl(),
    });
  }

  function command(name: string, text: string, user = 'U0ALICE') {
    return slashCommandPayload({ command: name, text, user, responseUrl: slack.responseUrl() });
  }

  describe('Slack (fake Slack API, real WebClient and Bolt)', () => {
    it('an escalation posts Block Kit with the buttons; a signed "approve $2,600" sends the counter and updates the message', async () => {
      const t = await agent();
      const { id, message } = await escalated(t);
      const buttons = JSON.stringify(message.blocks);
      for (const action of ['approve', 'approve_other', 'walk_away', 'take_over'])
        expect(buttons).to.include(`"${action}"`);
      expect(message.metadata?.event_payload.negotiation_id).to.equal(id);

      const res = await signed(t, click(message, 'approve', 'U0ALICE', '260000'));
      expect(res.status).to.equal(200);
      const n = await waitForState(t, id, 'counter_sent');
      expect(n.lastOfferedRate).to.equal('2600.00');
      const [, counter] = await waitForMailCount(t, MAYA, 2);
      expect(counter.text).to.include('$2,600.00');
      expect(timelineOf(n, 'approval')[0]).to.include({ by: 'slack:U0ALICE' });
      const updated = await until(async () => slack.updated().find((u) => u.ts === message.ts));
      expect(JSON.stringify(updated.blocks)).to.include('Approved at $2,600.00').and.include('U0ALICE');
    });

    it('a lower ask while escalated updates the thread and the message; an approve above it is refused in Slack and sends nothing', async () => {
      const t = await agent();
      const { id, threadId, message } = await escalated(t, '$3,500');

      await reply(t, threadId, 'Thinking about it again, I could do $2,200 for everything.');
      const post = await until(async () =>
        slack
          .posted(ESCALATIONS)
          .find((m) => m.thread_ts === message.ts && JSON.stringify(m.blocks).includes('$2,200.00')),
      );
      expect(JSON.stringify(post.blocks)).to.include('Their latest ask');
      const refreshed = await until(async () => slack.updated().find((u) => u.ts === message.ts));
      const current = slack.message(ESCALATIONS, message.ts) as FakeMessage;
      expect(JSON.stringify(refreshed.blocks)).to.include('Approve counter at $2,100.00');

      const tooHigh = await signed(t, click(current, 'approve', 'U0ALICE', '280000'));
      expect(tooHigh.status).to.equal(200);
      const refusal = await until(async () =>
        JSON.stringify(slack.responses()).match(/Their latest ask is \$2,200\.00[^"]*/),
      );
      expect(refusal[0]).to.include('cannot exceed it');
      await new Promise((r) => setTimeout(r, 200));
      expect(await mail(t, { to: MAYA })).to.have.length(1);
      expect(timelineOf(await negotiation(t, id), 'approval')).to.deep.equal([]);

      expect((await signed(t, click(current, 'approve'))).status).to.equal(200); // the updated button: $2,100
      const n = await waitForState(t, id, 'counter_sent');
      expect(n.lastOfferedRate).to.equal('2100.00');
      expect((await waitForMailCount(t, MAYA, 2))[1].text).to.include('$2,100.00');
    });

    it('a signed click replayed after it was handled, or after the negotiation escalated again, sends nothing', async () => {
      const t = await agent();
      const { id, threadId, message } = await escalated(t);
      const body = click(message, 'approve', 'U0ALICE', '260000');
      const headers = signSlackRequest(body, SECRET);
      expect((await post(t, body, headers)).status).to.equal(200);
      await waitForState(t, id, 'counter_sent');
      await waitForMailCount(t, MAYA, 2);

      expect((await post(t, body, headers)).status).to.equal(200); // the very same request again
      await until(async () => slack.responses().length >= 1);
      await reply(t, threadId, 'My lawyer needs to review the contract first; $2,900 would work.');
      await waitForState(t, id, 'escalated');
      const second = await until(async () =>
        slack.posted(ESCALATIONS).find((m) => m.text.startsWith('Escalation') && m.ts !== message.ts),
      );
      expect((await post(t, body, headers)).status).to.equal(200);
      const stale = await until(async () => JSON.stringify(slack.responses()).match(/escalation #1[^"]*/));
      expect(stale[0]).to.include('escalated again');
      await new Promise((r) => setTimeout(r, 200));
      let n = await negotiation(t, id);
      expect([n.state, timelineOf(n, 'approval').length]).to.deep.equal(['escalated', 1]);
      expect(await mail(t, { to: MAYA }), 'no second counter at the old amount').to.have.length(2);

      expect((await signed(t, click(second, 'walk_away'))).status).to.equal(200);
      n = await waitForState(t, id, 'rejected');
      expect(await mail(t, { to: MAYA })).to.have.length(3);
    });

    it('an unsigned or wrongly signed click is refused (401) and changes nothing', async () => {
      const t = await agent();
      const { id, message } = await escalated(t);
      const body = click(message, 'approve', 'U0ALICE', '260000');
      expect((await post(t, body, {})).status).to.equal(401);
      expect((await post(t, body, signSlackRequest(body, 'not-the-secret'))).status).to.equal(401);
      const stale = signSlackRequest(body, SECRET, Math.floor(Date.now() / 1000) - 3600);
      expect((await post(t, body, stale)).status).to.equal(401);
      await new Promise((r) => setTimeout(r, 200));
      const n = await negotiation(t, id);
      expect([n.state, timelineOf(n, 'approval').length]).to.deep.equal(['escalated', 0]);
      expect(slack.updated()).to.deep.equal([]);
    });

    it('only configured approvers may act; others are told so and nothing changes', async () => {
      const t = await agent({ SLACK_APPROVERS: 'U0ALICE' });
      const { id, message } = await escalated(t);
      expect((await signed(t, click(message, 'walk_away', 'U0MALLORY'))).status).to.equal(200);
      const refusal = await until(async () => [...slack.ephemerals(), ...slack.responses()].length > 0);
      expect(refusal).to.equal(true);
      expect(JSON.stringify(slack.responses())).to.match(/not allowed|approver|permission/i);
      expect((await negotiation(t, id)).state).to.equal('escalated');
      expect((await signed(t, click(message, 'walk_away', 'U0ALICE'))).status).to.equal(200);
      await waitForState(t, id, 'rejected');
    });

    it('/claim, then a reply gets no automatic answer; /resume, and the agent answers the next reply, also after a restart', async () => {
      let t = await agent();
      const created = await createCampaign(t);
      const id = created.negotiations[0].id;
      const [opening] = await waitForMailCount(t, MAYA, 1);

      expect((await signed(t, command('/claim', MAYA))).status).to.equal(200);
      await until(async () => (await negotiation(t, id)).humanControlled);
      await reply(t, opening.threadId, 'When would the content need to go live?');
      await waitForReceived(t, id, 1);
      await new Promise((r) => setTimeout(r, 200));
      expect(await mail(t, { to: MAYA })).to.have.length(1);
      const relayed = await until(async () => slack.posted(ESCALATIONS).find((m) => m.text.startsWith('New reply')));
      expect(JSON.stringify(relayed.blocks)).to.include('resume_agent');

      expect((await signed(t, command('/resume', opening.threadId))).status).to.equal(200);
      await until(async () => !(await negotiation(t, id)).humanControlled);
      await t.stop();
      agents = [];
      t = await agent();
      await reply(t, opening.threadId, 'Also, is the Reel needed in the first week?');
      await waitForMailCount(t, MAYA, 2);
      expect((await negotiation(t, id)).humanControlled).to.equal(false);
    });

    it('the "Resume agent" button on a relayed reply hands the negotiation back', async () => {
      const t = await agent();
      const { id, message, threadId } = await escalated(t);
      await signed(t, click(message, 'take_over'));
      await until(async () => (await negotiation(t, id)).humanControlled);
      await reply(t, threadId, 'Any news?');
      const relayed = await until(async () => slack.posted(ESCALATIONS).find((m) => m.text.startsWith('New reply')));
      expect(relayed.thread_ts).to.equal(message.ts); // in the escalation's Slack thread
      await signed(t, click(relayed, 'resume_agent'));
      await until(async () => !(await negotiation(t, id)).humanControlled);
    });

    it("a manager's assistant (a known contact's agency) is no takeover; a teammate's reply takes the negotiation over", async () => {
      const t = await agent();
      const created = await createCampaign(t);
      const id = created.negotiations[0].id;
      const [opening] = await waitForMailCount(t, MAYA, 1);
      const manager = 'Jordan Lee <jordan@unitedtalent.com>';
      await reply(t, opening.threadId, 'I represent Maya. Could you share the timeline?', { from: manager });
      await waitForReceived(t, id, 1);
      await reply(t, opening.threadId, 'Adding: Maya is free in March.', { from: 'Pat Kim <pat@unitedtalent.com>' });
      await waitForReceived(t, id, 2);
      let n = await negotiation(t, id);
      expect(n.humanControlled).to.equal(false);
      expect(n.contacts.map((c: { email: string }) => c.email)).to.include('pat@unitedtalent.com');

      await reply(t, opening.threadId, 'Hi all, Sam from the team here, I will take it from here.', {
        from: 'Sam Ortiz <sam@agency.example>',
      });
      await waitForReceived(t, id, 3);
      n = await negotiation(t, id);
      expect(n.humanControlled).to.equal(true);
      expect(timelineOf(n, 'takeover')[0]).to.include({ by: 'auto-detected' });
      const relayed = await until(async () => slack.posted(ESCALATIONS).find((m) => m.text.startsWith('New reply')));
      expect(JSON.stringify(relayed.blocks)).to.include('auto-detected: sam@agency.example');
    });

    it('/audit answers with the audit trail of an influencer', async () => {
      const t = await agent();
      await escalated(t);
      expect((await signed(t, command('/audit', `influencer:${MAYA} last:7d`))).status).to.equal(200);
      const answer = await until(async () => {
        const text = JSON.stringify([...slack.responses(), ...slack.ephemerals()]);
        return /escalation/.test(text) ? text : undefined;
      });
      expect(answer).to.include('email_sent').and.include(MAYA);
    });

    it('refuses to start with a bot token Slack rejects', async () => {
      const error = await startTestAgent(
        {
          CHAT_PROVIDER: 'slack',
          SLACK_BOT_TOKEN: 'xoxb-revoked',
          SLACK_SIGNING_SECRET: SECRET,
          SLACK_API_URL: slack.apiUrl,
          SLACK_ESCALATION_CHANNEL: ESCALATIONS,
          SLACK_AGREEMENT_CHANNEL: DEALS,
        },
        dataDir,
      ).catch((e: Error) => e);
      expect(String(error)).to.match(/SLACK_BOT_TOKEN is invalid/);
    });

    it('an escalation refreshed while Slack is down is refreshed from the outbox once Slack is back, the reply posted once', async () => {
      const t = await agent({ CHAT_RETRY_SECONDS: '1' });
      const { threadId, message } = await escalated(t);
      // Every attempt of the refresh fails (the effect's retries, and the outbox's first passes).
      for (let i = 0; i < 6; i++) slack.failNext('chat.update', 'internal_error');
      await reply(t, threadId, 'I could come down to $2,250.');
      const refreshed = await until(async () => {
        const now = slack.message(ESCALATIONS, message.ts);
        return now && JSON.stringify(now.blocks).includes('2,250') ? now : undefined;
      }, 20_000);
      expect(refreshed.ts).to.equal(message.ts);
      expect(slack.calls('chat.update')).to.be.greaterThan(6);
      const relayed = slack.posted(ESCALATIONS).filter((m) => m.thread_ts === message.ts);
      expect(relayed.map((m) => m.text)).to.deep.equal(['New reply from Maya Lopez (no automatic answer)']);
    });
  });
});

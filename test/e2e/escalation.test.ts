/**
 * Escalated negotiations keep reading replies (D16 last point), Slack buttons are bound to their escalation
 * (D19), and a manager who writes for the influencer is their representative (D6, domain.md §4) — end to end in
 * sandbox mode, over HTTP only.
 */
import { expect } from 'chai';
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import {
  expectError,
  MAYA,
  mail,
  negotiation,
  reply,
  type SlackMessage,
  sleep,
  slack,
  started,
  timelineOf,
  until,
  waitForMailCount,
  waitForReceived,
  waitForState,
} from '../support/e2e.ts';

let agents: TestAgent[] = [];

async function agent(): Promise<TestAgent> {
  const t = await startTestAgent();
  agents.push(t);
  return t;
}

// Its hooks apply to this file's tests only (a hook outside every describe would run before every test of the suite).
describe('escalation (e2e)', () => {
  afterEach(async () => {
    for (const t of agents) {
      await t.stop();
      removeDir(t.dataDir);
    }
    agents = [];
  });

  /** Asks above $2,300 need approval; our opening offer is $2,000 (80,000 views at a $25 floor). */
  const capped = () => glowCampaign({ maxCostWithoutApproval: '2300', minCostPerInfluencer: '1000' });

  async function escalatedAt(t: TestAgent, ask: string) {
    const s = await started(t, capped());
    await reply(t, s.threadId, `Thanks! My rate for this package is ${ask}.`);
    await waitForState(t, s.id, 'escalated');
    const parent = await until(async () => (await slack(t, s.id)).find((m) => m.kind === 'escalation'));
    return { ...s, parent };
  }

  type Button = { action_id: string; value: string; text: { text: string } };
  function buttons(m: SlackMessage): { blockId: string; buttons: Button[] } {
    const block = (m.blocks as { type: string; block_id?: string; elements?: Button[] }[]).find(
      (b) => b.type === 'actions',
    );
    return { blockId: block?.block_id ?? '', buttons: block?.elements ?? [] };
  }
  const approveButton = (m: SlackMessage) => buttons(m).buttons.find((b) => b.action_id === 'approve');

  const action = (t: TestAgent, body: Record<string, unknown>) => t.call('POST', '/sandbox/slack/actions', body);

  describe('e2e: a reply while escalated is read (D16)', () => {
    it('the measured case: a new lower ask ($2,200 after $3,500) replaces the ask; approving $2,800 is refused (API and Slack), $2,100 goes out', async () => {
      const t = await agent();
      const s = await escalatedAt(t, '$3,500');
      expect(approveButton(s.parent)?.text.text).to.equal('Approve counter at $2,750.00');

      await reply(t, s.threadId, 'Thinking about it again, I could do $2,200 for everything.');
      const posted = await until(async () =>
        (await slack(t, s.id)).find(
          (m) => m.threadTs === s.parent.ts && JSON.stringify(m.blocks).includes('$2,200.00'),
        ),
      );
      expect(JSON.stringify(posted.blocks)).to.include('Their latest ask').and.include('$2,100.00');

      const n = await negotiation(t, s.id);
      expect(n.state).to.equal('escalated');
      expect(n.theirLastAsk).to.equal('2200.00');
      expect(n.escalation).to.include({ ask: '2200.00', suggested: '2100.00', number: 1 });
      expect(timelineOf(n, 'classified').map((e) => e.ask)).to.deep.equal(['3500.00', '2200.00']);
      expect(await mail(t, { to: MAYA }), 'nothing is sent while escalated (D1)').to.have.length(1);

      // The escalation message itself now suggests the new counter and shows their ask.
      const parent = (await slack(t, s.id)).find((m) => m.ts === s.parent.ts) as SlackMessage;
      expect(approveButton(parent)).to.deep.include({ value: '210000' });
      expect(approveButton(parent)?.text.text).to.equal('Approve counter at $2,100.00');
      expect(JSON.stringify(parent.blocks)).to.include('*Their ask:*\\n$2,200.00');

      const api = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '2800.00' });
      expectError(api, 422, 'rate_above_ask');
      expect(api.body.error.message).to.equal('Their latest ask is $2,200.00; an approval cannot exceed it');
      const click = await action(t, { action: 'approve', negotiationId: s.id, user: 'U1', rate: '2800.00' });
      expectError(click, 422, 'rate_above_ask');
      const below = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '1999.99' });
      expectError(below, 422, 'rate_below_last_offer');
      await sleep(100);
      expect(await mail(t, { to: MAYA })).to.have.length(1);
      expect(timelineOf(await negotiation(t, s.id), 'approval')).to.deep.equal([]);

      const ok = await action(t, {
        action: 'approve',
        negotiationId: s.id,
        user: 'U1',
        rate: '2100.00',
        escalation: 1,
      });
      expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
      await waitForState(t, s.id, 'counter_sent');
      const [, counter] = await waitForMailCount(t, MAYA, 2);
      expect(counter.text).to.include('$2,100.00').and.not.include('$2,800');
    });

    it('an acceptance while escalated caps approvals at our standing offer; an unclear reply keeps the ask', async () => {
      const t = await agent();
      const s = await escalatedAt(t, '$3,200');
      await reply(t, s.threadId, 'When would the content have to go live?');
      await until(async () => (await slack(t, s.id)).filter((m) => m.threadTs === s.parent.ts).length === 1);
      let n = await waitForReceived(t, s.id, 2);
      expect(n.theirLastAsk).to.equal('3200.00');

      await reply(t, s.threadId, 'Okay, fine - $2,000 works for me.');
      await until(async () => (await slack(t, s.id)).filter((m) => m.threadTs === s.parent.ts).length === 2);
      n = await negotiation(t, s.id);
      expect([n.state, n.theirLastAsk, n.escalation.suggested]).to.deep.equal(['escalated', '2000.00', '2000.00']);
      expectError(await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '2600.00' }), 422);
      expect(await mail(t, { to: MAYA })).to.have.length(1);
    });

    it('keeps reading after a restart: a reply stored while the agent was down is read at boot', async () => {
      const t = await agent();
      const s = await escalatedAt(t, '$3,500');
      await reply(t, s.threadId, 'Let us say $2,400 then.');
      await until(async () => (await negotiation(t, s.id)).theirLastAsk === '2400.00');
      await t.restart();
      const n = await negotiation(t, s.id);
      expect([n.state, n.theirLastAsk, n.escalation.ask]).to.deep.equal(['escalated', '2400.00', '2400.00']);
      expectError(await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '2500.00' }), 422);
    });
  });

  describe('e2e: buttons bound to their escalation (D19)', () => {
    it("an older escalation's click is refused and changes nothing; a replay after it was handled sends nothing", async () => {
      const t = await agent();
      const s = await escalatedAt(t, '$3,200');
      expect(buttons(s.parent).blockId).to.equal(`negotiation:${s.id}#1`);
      const first = { action: 'approve', negotiationId: s.id, user: 'U1', rate: '2600.00', escalation: 1 };
      expect((await action(t, first)).status).to.equal(200);
      await waitForState(t, s.id, 'counter_sent');
      expectError(await action(t, first), 409); // the same click again: already handled
      await waitForMailCount(t, MAYA, 2);

      // They answer with legal language: a second escalation.
      await reply(t, s.threadId, 'My lawyer has to review the contract terms first. $2,900 would work.');
      await waitForState(t, s.id, 'escalated');
      const second = await until(async () =>
        (await slack(t, s.id)).filter((m) => m.kind === 'escalation' && m.ts !== s.parent.ts).at(0),
      );
      expect(buttons(second).blockId).to.equal(`negotiation:${s.id}#2`);

      const replayed = await action(t, first);
      expectError(replayed, 409, 'stale_escalation');
      expect(replayed.body.error.message).to.match(/escalation #1.*escalated again/);
      for (const a of ['walk_away', 'take_over']) {
        expectError(await action(t, { action: a, negotiationId: s.id, user: 'U1', escalation: 1 }), 409);
      }
      expectError(await action(t, { action: 'walk_away', negotiationId: s.id, user: 'U1', escalation: 7 }), 409);
      await sleep(100);
      let n = await negotiation(t, s.id);
      expect([n.state, n.humanControlled, timelineOf(n, 'approval').length]).to.deep.equal(['escalated', false, 1]);
      expect(await mail(t, { to: MAYA })).to.have.length(2);

      const current = await action(t, { action: 'walk_away', negotiationId: s.id, user: 'U1', escalation: 2 });
      expect(current.status, JSON.stringify(current.body)).to.equal(200);
      n = await waitForState(t, s.id, 'rejected');
      expect(await mail(t, { to: MAYA })).to.have.length(3);
      expect(timelineOf(n, 'walk_away')).to.have.length(1);
    });

    it('the escalation number is validated like any other input', async () => {
      const t = await agent();
      const s = await escalatedAt(t, '$3,200');
      for (const escalation of [0, -1, 'two', 1.5]) {
        const res = await action(t, { action: 'walk_away', negotiationId: s.id, user: 'U1', escalation });
        expectError(res, 400);
      }
      expect((await negotiation(t, s.id)).state).to.equal('escalated');
    });
  });

  describe('e2e: a manager writing for the influencer (D6, domain.md §4)', () => {
    const phrasings: [string, string, string][] = [
      [
        'Jordan Lee <jordan@brightmgmt.com>',
        'Hi! I manage Maya at Bright Management and will take the partnership from here. Could you share the posting dates?\n\nBest,\nJordan Lee\nBright Management',
        'Bright Management',
      ],
      [
        'Jordan Lee <jordan@brightmgmt.com>',
        "Hello,\n\nI'm reaching out on behalf of Maya about your proposal. When would the Reel go live?\n\nKind regards,\nJordan Lee\nSenior Talent Manager | Bright Management LLC\nwww.brightmgmt.com",
        'Bright Management',
      ],
      [
        'jordan@brightmgmt.com',
        "Maya's manager here. What are the posting dates?\n\nThanks,\nJordan\nBright Management",
        'Bright Management',
      ],
      [
        'Jordan <jordan@northstar-talent.io>',
        'Hi team, Jordan from Northstar Talent here - we represent Maya Lopez. Which dates do you have in mind?',
        'Northstar Talent',
      ],
    ];

    for (const [from, text, agency] of phrasings) {
      it(`admits ${JSON.stringify(text.split('\n')[0].slice(0, 50))}…, records "${agency}" and answers Jordan`, async () => {
        const t = await agent();
        const s = await started(t);
        await reply(t, s.threadId, text, { from });
        const n = await waitForReceived(t, s.id, 1);
        expect(n.humanControlled, 'not a takeover').to.equal(false);
        expect(timelineOf(n, 'takeover')).to.deep.equal([]);
        expect(n.counterparty).to.deep.equal({ type: 'talent_manager', agency });
        expect(n.influencer.email, 'the deal stays the influencer’s').to.equal(MAYA);
        const answer = await until(async () => (await mail(t, { thread: s.threadId })).at(1));
        expect(answer.to).to.equal(from.match(/[^<\s]+@[^>\s]+/)?.[0]);
        expect(answer.text).to.match(/^Hi Jordan,/);
      });
    }

    it('stop-by-agency finds every negotiation whose manager named the agency (case-insensitive, any legal suffix)', async () => {
      const t = await agent();
      const created = await t.call(
        'POST',
        '/api/v1/campaigns',
        glowCampaign({
          influencers: [
            { name: 'Maya Lopez', email: MAYA, averageViews: 80000 },
            { name: 'Ana Reyes', email: 'ana.reyes@gmail.com', averageViews: 60000 },
            { name: 'Leo Park', email: 'leo@leopark.tv', averageViews: 50000 },
          ],
        }),
      );
      expect(created.status).to.equal(201);
      const ids: Record<string, string> = Object.fromEntries(
        created.body.negotiations.map((n: { id: string; influencer: { email: string } }) => [n.influencer.email, n.id]),
      );
      const threads = async (email: string) => (await waitForMailCount(t, email, 1))[0].threadId;
      await reply(t, await threads(MAYA), 'I manage Maya at Bright Management. Any flexibility on dates?', {
        from: 'Jordan Lee <jordan@brightmgmt.com>',
      });
      await reply(
        t,
        await threads('ana.reyes@gmail.com'),
        "Hi, I'm Ana's agent. Can you tell me more about usage?\n\nRegards,\nSam Cho\nBRIGHT MANAGEMENT, LLC",
        { from: 'sam@brightmanagement.co' },
      );
      for (const id of [ids[MAYA], ids['ana.reyes@gmail.com']]) await waitForReceived(t, id, 1);

      const res = await t.call('POST', '/api/v1/agencies/bright%20management/stop');
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.stopped).to.equal(2);
      expect([...res.body.ids].sort()).to.deep.equal([ids[MAYA], ids['ana.reyes@gmail.com']].sort());
      expect((await negotiation(t, ids['leo@leopark.tv'])).state).to.equal('awaiting_reply');
    });

    it('keeps the takeover rules: a teammate who claims the influencer and an unrelated stranger take it over', async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, 'I manage Maya now, I will take it from here.', {
        from: 'Sam Ortiz <sam@agency.example>', // the agent's own domain: a colleague
      });
      let n = await waitForReceived(t, s.id, 1);
      expect(n.humanControlled).to.equal(true);
      expect(timelineOf(n, 'takeover')[0]).to.include({ sender: 'sam@agency.example' });
      const relayed = await until(async () => (await slack(t, s.id)).find((m) => m.text.startsWith('New reply')));
      expect(relayed.text, 'names who wrote, not the influencer').to.equal(
        "New reply from Sam Ortiz (Maya Lopez's negotiation) (no automatic answer)",
      );

      const other = glowCampaign({
        id: 'cmp-2',
        influencers: [{ name: 'Ana Reyes', email: 'ana.reyes@gmail.com', averageViews: 60000 }],
      });
      const created = await t.call('POST', '/api/v1/campaigns', other);
      const [opening] = await waitForMailCount(t, 'ana.reyes@gmail.com', 1);
      await reply(t, opening.threadId, 'Who is this? Please share the details.', { from: 'someone@random.io' });
      n = await waitForReceived(t, created.body.negotiations[0].id, 1);
      expect(n.humanControlled).to.equal(true);
      expect(timelineOf(n, 'takeover')[0]).to.include({ sender: 'someone@random.io' });
    });
  });
});

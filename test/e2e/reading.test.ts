/**
 * How replies are read, end to end through the sandbox (D16): the package and the average views reach the reader
 * through the negotiation machine, so the measured failures of issue 11 are now read the way a person reads them.
 * One campaign, one influencer per reply: 80,000 views at a $25 CPM target, our offer $2,000.
 */
import { expect } from 'chai';
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import { createCampaign, negotiation, reply, timelineOf, until, waitForMailCount } from '../support/e2e.ts';

let t: TestAgent | null = null;
// Its hooks apply to this file's tests only (a hook outside every describe would run before every test of the suite).
describe('reading (e2e)', () => {
  afterEach(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
    t = null;
  });

  interface Case {
    text: string;
    deliverables?: string;
    /** What must hold once the reply is decided. */
    check: (n: {
      state: string;
      agreedRate: string | null;
      theirLastAsk: string | null;
      timeline: { type: string; trigger?: string }[];
    }) => void;
  }

  const CASES: Case[] = [
    {
      text: 'My rate is $800 per Reel',
      deliverables: '2 Instagram Reels',
      // $1,600 for the two Reels: at or below our offer, so agreed at their ask (D3.2), never at $800
      check: (n) => expect([n.state, n.agreedRate]).to.deep.equal(['agreed', '1600.00']),
    },
    {
      text: 'Sounds good if we can make it 2500.',
      check: (n) => {
        expect(n.theirLastAsk).to.equal('2500.00');
        expect(n.agreedRate).not.to.equal('2000.00');
      },
    },
    {
      text: 'Happy to do it for twenty-five hundred.',
      check: (n) => {
        expect(n.theirLastAsk).to.equal('2500.00');
        expect(n.agreedRate).not.to.equal('2000.00');
      },
    },
    {
      text: 'My rate for this package is $2,000',
      check: (n) => expect([n.state, n.agreedRate]).to.deep.equal(['agreed', '2000.00']),
    },
    { text: 'ok', check: (n) => expect([n.state, n.agreedRate]).to.deep.equal(['agreed', '2000.00']) },
    {
      text: 'Sounds good! Quick question: is there an exclusivity period?',
      check: (n) => {
        expect([n.state, n.agreedRate]).to.deep.equal(['escalated', null]);
        expect(timelineOf(n as never, 'escalation').at(-1)?.trigger).to.equal('legal');
      },
    },
    { text: 'I work at a $30 CPM.', check: (n) => expect(n.theirLastAsk).to.equal('2400.00') },
    {
      text: 'My rate is $1.500.',
      check: (n) => expect([n.state, n.agreedRate, n.theirLastAsk]).to.deep.equal(['escalated', null, null]),
    },
  ];

  describe('reading replies end to end (sandbox, D16)', () => {
    it('per-unit, bare and word amounts, an ask at our offer, "ok", legal questions, CPM and ambiguous marks', async () => {
      t = await startTestAgent();
      const agent = t;
      const people = CASES.map((c, i) => ({ ...c, email: `reader${i}@gmail.com` }));
      const ids: string[] = [];
      for (const [i, p] of people.entries()) {
        const created = await createCampaign(
          agent,
          glowCampaign({
            id: `cmp-read-${i}`,
            deliverables: p.deliverables ?? '1 Instagram Reel, 2 Instagram Stories',
            influencers: [{ name: 'Maya Lopez', email: p.email, platform: 'instagram', averageViews: 80000 }],
          }),
        );
        ids.push(created.negotiations[0].id);
      }
      for (const [i, p] of people.entries()) {
        const [opening] = await waitForMailCount(agent, p.email, 1);
        await reply(agent, opening.threadId, p.text, { from: `Maya Lopez <${p.email}>` });
        const n = await until(async () => {
          const x = await negotiation(agent, ids[i]);
          const received = timelineOf(x, 'email_received').length;
          return received === 1 && !['counter_received', 'awaiting_reply'].includes(x.state) ? x : undefined;
        });
        p.check(n);
      }
    });
  });

  describe('a reply below an Outlook-style quote of our counter (D16)', () => {
    const quote = (email: { text: string }, to: string) =>
      [
        'De : The Partnerships Team <deals@agency.example>',
        'Envoyé : mardi 2 décembre 2025 18:47',
        `À : Maya Lopez <${to}>`,
        'Objet : RE: Collaboration Opportunity - Glow Skincare',
        '',
        email.text.replace(/~~/g, ''), // the client quotes the HTML part: the strike-through is lost
      ].join('\n');

    it('an acceptance above it closes at our counter; a new ask below it is never agreed', async () => {
      t = await startTestAgent();
      const agent = t;
      const people = ['above@gmail.com', 'below@gmail.com'];
      const ids: string[] = [];
      for (const [i, email] of people.entries()) {
        const created = await createCampaign(
          agent,
          glowCampaign({ id: `cmp-outlook-${i}`, influencers: [{ name: 'Maya Lopez', email, averageViews: 80000 }] }),
        );
        ids.push(created.negotiations[0].id);
        const [opening] = await waitForMailCount(agent, email, 1);
        await reply(agent, opening.threadId, "I'd do it for $2,300", { from: email });
      }
      const counters = await Promise.all(people.map((email) => waitForMailCount(agent, email, 2)));
      const settled = (id: string) =>
        until(async () => {
          const x = await negotiation(agent, id);
          return timelineOf(x, 'email_received').length === 2 && !['counter_received'].includes(x.state)
            ? x
            : undefined;
        });

      const [above, below] = counters.map((m) => m[1]);
      expect(above.text).to.include('- Rate: ~~$2,300.00~~ $2,150.00');
      await reply(agent, above.threadId, `Ça marche pour moi, on y va.\n\n${quote(above, people[0])}`, {
        from: people[0],
      });
      expect((await settled(ids[0])).agreedRate).to.equal('2150.00');

      await reply(
        agent,
        below.threadId,
        `Sounds great!\n\n${quote(below, people[1])}\n\nActually my rate would need to be $2,800.`,
        { from: people[1] },
      );
      const n = await settled(ids[1]);
      expect([n.state, n.agreedRate]).to.deep.equal(['escalated', null]);
    });
  });
});

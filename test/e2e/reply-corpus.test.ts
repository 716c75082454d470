/**
 * Every reply of the corpus (test/fixtures/replies/) end to end through the sandbox, in one agent: one
 * negotiation per fixture at a standing offer of $2,000 for "1 Instagram Reel, 2 Instagram Stories" (80,000
 * views at a $25 CPM), the reply posted to POST /sandbox/mail as the client wrote it (HTML fixtures as a whole
 * raw message), the decision read back from the API.
 *
 * Asserted for every fixture (D16): the negotiation never agrees at, nor records as their ask, an amount that is
 * not written in the expected new text (our standing offer aside, which an acceptance agrees at), so an amount
 * only in quoted history or a signature is never theirLastAsk or agreedRate; the text it read is their new words;
 * and it reached the fixture's expected outcome (accept, counter at their ask, answered question, reject, or
 * escalate).
 */
import { expect } from 'chai';
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import { createCampaign, negotiation, type TimelineItem, timelineOf, until } from '../support/e2e.ts';
import { amountsIn, loadCorpus, type ReplyFixture, rawMessage } from '../support/reply-corpus.ts';

const STANDING_OFFER = '2000'; // whole dollars, as amountsIn keys them

interface Run {
  fixture: ReplyFixture;
  id: string;
  threadId: string;
  email: string;
}

/** What the agent did with the reply, in the corpus's terms. */
function observed(n: {
  state: string;
  theirLastAsk: string | null;
  agreedRate: string | null;
  timeline: TimelineItem[];
}) {
  if (n.state === 'agreed') return 'accept';
  if (n.state === 'rejected') return 'reject';
  if (n.theirLastAsk && Number(n.theirLastAsk) !== Number(STANDING_OFFER)) return `counter ${n.theirLastAsk}`;
  const last = timelineOf(n, 'email_sent').at(-1);
  if (last?.kind === 'answer') return 'question';
  return n.state === 'escalated' ? 'escalate' : n.state;
}

describe('reply corpus end to end through the sandbox (D16)', function () {
  this.timeout(300_000);
  let t: TestAgent;
  let runs: Run[];

  before(async () => {
    const corpus = await loadCorpus();
    t = await startTestAgent();
    const influencers = corpus.map((_, i) => ({
      name: 'Maya Lopez',
      email: `maya.${i}@gmail.com`,
      platform: 'instagram',
      handle: `@maya${i}`,
      averageViews: 80000,
    }));
    // More than 100 influencers are accepted (202) and created just after the answer (D20).
    const body = glowCampaign({ id: 'cmp-corpus', budget: '10000000', influencers });
    const created = await createCampaign(t, body, influencers.length > 100 ? 202 : 201);
    expect(created.negotiations).to.have.length(corpus.length);
    const byEmail = new Map(created.negotiations.map((n) => [n.influencer.email, n.id]));
    // Every outreach sent: the threads exist and each standing offer is $2,000.
    const sent = await until(async () => {
      const res = await t.call('GET', '/sandbox/mail');
      return res.body.length >= corpus.length ? (res.body as { to: string; threadId: string }[]) : undefined;
    }, 120_000);
    const threadOf = new Map(sent.map((m) => [m.to.replace(/^.*<|>$/g, '').toLowerCase(), m.threadId]));
    runs = corpus.map((fixture, i) => {
      const email = `maya.${i}@gmail.com`;
      return { fixture, id: byEmail.get(email) as string, threadId: threadOf.get(email) as string, email };
    });
    for (const run of runs) {
      const n = await negotiation(t, run.id);
      expect(n.lastOfferedRate, run.fixture.id).to.equal('2000.00');
    }
  });

  after(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
  });

  it('every reply goes in through POST /sandbox/mail and is read; nothing quoted or signed is taken as theirs', async () => {
    for (const { fixture, threadId, email } of runs) {
      const from = `Maya Lopez <${email}>`;
      const body =
        fixture.html !== undefined
          ? {
              raw: await rawMessage(fixture, { from, to: 'deals@agency.example', subject: 'Re: Partnership' }),
              threadId,
            }
          : { from, threadId, text: fixture.body, subject: 'Re: Partnership' };
      const res = await t.call('POST', '/sandbox/mail', body);
      expect(res.status, `${fixture.id}: ${JSON.stringify(res.body)}`).to.equal(202);
    }

    const results: { fixture: ReplyFixture; got: string; n: Awaited<ReturnType<typeof negotiation>> }[] = [];
    for (const run of runs) {
      const n = await until(async () => {
        const current = await negotiation(t, run.id);
        const read = timelineOf(current, 'email_received').length >= 1;
        return read && !['counter_received', 'initial_offer'].includes(current.state) ? current : undefined;
      }, 60_000);
      results.push({ fixture: run.fixture, got: observed(n), n });
    }

    // Nothing from quoted history, a signature or our own emails is taken as theirs, no deal closes at an amount
    // they did not write (our standing offer aside), and no ask is one they did not write at all ("2.800" as $2.80).
    const unsafe: string[] = [];
    const misread: string[] = [];
    for (const { fixture, n } of results) {
      const theirs = amountsIn(fixture.text);
      const notTheirs = [...amountsIn(fixture.body)].filter((a) => !theirs.has(a));
      const received = timelineOf(n, 'email_received')[0];
      const ask = n.theirLastAsk ? String(Number(n.theirLastAsk)) : null;
      const agreed = n.agreedRate ? String(Number(n.agreedRate)) : null;
      if (ask && notTheirs.includes(ask) && ask !== STANDING_OFFER) {
        unsafe.push(`${fixture.id}: theirLastAsk ${n.theirLastAsk} stands only in quoted history or a signature`);
      } else if (ask && !theirs.has(ask) && ask !== STANDING_OFFER) {
        misread.push(`${fixture.id}: theirLastAsk ${n.theirLastAsk} is not in ${JSON.stringify(fixture.text)}`);
      }
      if (agreed && !theirs.has(agreed) && agreed !== STANDING_OFFER) {
        unsafe.push(`${fixture.id}: agreed at ${n.agreedRate}, not in ${JSON.stringify(fixture.text)}`);
      }
      // The reply the negotiation read is their new words (the extraction ran for the sandbox too).
      if (String(received.text).replace(/\s+/g, ' ').trim() !== fixture.text.replace(/\s+/g, ' ').trim()) {
        unsafe.push(`${fixture.id}: read ${JSON.stringify(received.text)}`);
      }
    }
    const mismatched = results
      .filter((r) => r.got !== r.fixture.outcome)
      .map((r) => `${r.fixture.id}: expected ${r.fixture.outcome}, got ${r.got}`);
    console.log(`      expected outcome reached: ${results.length - mismatched.length}/${results.length}`);
    expect(misread, misread.join('\n')).to.deep.equal([]);
    expect(mismatched, mismatched.join('\n')).to.deep.equal([]);
    expect(unsafe, unsafe.join('\n')).to.deep.equal([]);
  });
});

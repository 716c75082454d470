/**
 * End-to-end tests of the public HTTP contract (spec/api.md, decisions D1-D3, D6-D10, D13-D15): a real agent
 * runs in-process on a loopback port with its own temporary data directory (real SQLite, real HTTP), in sandbox
 * mode (local mailbox, Slack stand-in, deterministic offline negotiator, movable clock). Only HTTP is used.
 */
import { expect } from 'chai';
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import {
  control,
  createCampaign,
  dollars,
  expectError,
  ISO,
  MAYA,
  MONEY,
  mail,
  negotiation,
  reply,
  sleep,
  slack,
  started,
  TOKEN,
  type TimelineItem,
  timelineOf,
  until,
  usd,
  waitForMailCount,
  waitForReceived,
  waitForState,
} from '../support/e2e.ts';

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

let agents: TestAgent[] = [];

async function agent(env: Record<string, string> = {}): Promise<TestAgent> {
  const t = await startTestAgent(env);
  agents.push(t);
  return t;
}

afterEach(async () => {
  const running = agents;
  agents = [];
  for (const t of running) {
    await t.stop();
    removeDir(t.dataDir);
  }
});

/** A campaign whose asks above $2,300 must be approved (the api.md example). */
const capped = (overrides: Record<string, unknown> = {}) =>
  glowCampaign({ maxCostWithoutApproval: '2300', minCostPerInfluencer: '1000', ...overrides });

/** Escalates the api.md campaign with "My rate is $3,200" and returns the negotiation. */
async function escalated(t: TestAgent) {
  const s = await started(t, capped());
  await reply(t, s.threadId, 'My rate is $3,200 for this package.');
  await waitForState(t, s.id, 'escalated');
  await until(async () => (await slack(t, s.id)).some((m) => m.kind === 'escalation'));
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. The README walkthrough
// ---------------------------------------------------------------------------------------------------------------

describe('e2e: README walkthrough (create -> opening email -> accept -> agreed)', () => {
  it('creates the campaign, emails the opening offer, and closes the deal on "Sounds great"', async () => {
    const t = await agent();
    const created = await createCampaign(t);
    expect(created.id).to.equal('cmp-1');
    expect(created.negotiations).to.have.length(1);
    expect(created.skipped).to.deep.equal([]);
    const neg = created.negotiations[0];
    expect(neg.id).to.be.a('string').and.not.equal('');
    expect(neg.influencer).to.include({ name: 'Maya Lopez', email: MAYA });

    const [opening, ...more] = await waitForMailCount(t, MAYA, 1);
    expect(more).to.deep.equal([]);
    expect(opening.to).to.equal(MAYA);
    expect(opening.subject).to.equal('Collaboration Opportunity - Glow Skincare');
    expect(opening.text).to.contain('$2,000.00');
    expect(opening.messageId).to.be.a('string').and.not.equal('');
    expect(opening.threadId).to.be.a('string').and.not.equal('');
    expect(opening.sentAt).to.match(ISO);

    const before = await negotiation(t, neg.id);
    expect(before.threadId).to.equal(opening.threadId);
    expect(before.lastOfferedRate).to.equal('2000.00');

    const posted = await t.call('POST', '/sandbox/mail', {
      from: MAYA,
      threadId: opening.threadId,
      text: "Sounds great, let's do it",
    });
    expect(posted.status).to.equal(202);
    expect(posted.body.messageId).to.be.a('string');
    expect(posted.body.duplicate).to.not.equal(true);

    const done = await waitForState(t, neg.id, 'agreed');
    expect(done.agreedRate).to.equal('2000.00');
    expect(done.agreedCpm).to.equal('25.00');

    const thread = await waitForMailCount(t, MAYA, 2);
    expect(thread).to.have.length(2);
    const confirmation = thread[1];
    expect(confirmation.threadId).to.equal(opening.threadId);
    expect(confirmation.subject).to.equal('Re: Collaboration Opportunity - Glow Skincare');
    // threaded as a reply to Maya's message (llm-email.md S2)
    expect(confirmation.inReplyTo).to.equal(posted.body.messageId);
    expect(confirmation.references).to.deep.equal([opening.messageId, posted.body.messageId]);
    expect(confirmation.text).to.contain('$2,000');

    const agreement = await until(async () => (await slack(t, neg.id)).find((m) => m.kind === 'agreement'));
    expect(agreement.text).to.contain('Maya Lopez');
    expect(`${agreement.text} ${JSON.stringify(agreement.blocks)}`).to.contain('$2,000');
  });

  it("the Slack agreement message links to the dashboard's view of the negotiation on this agent (D19)", async () => {
    const t = await agent();
    const s = await started(t);
    await reply(t, s.threadId, "Sounds great, let's do it");
    await waitForState(t, s.id, 'agreed');
    const agreement = await until(async () => (await slack(t, s.id)).find((m) => m.kind === 'agreement'));
    const links = [...JSON.stringify(agreement.blocks).matchAll(/<(https?:\/\/[^|>]+)\|/g)].map((m) => m[1]);
    expect(links, 'a link to the negotiation').to.have.length.greaterThan(0);
    expect(links[0]).to.equal(`${t.url}/dashboard#n=${s.id}`);
    const followed = await fetch(links[0]);
    expect(followed.status).to.equal(200);
    expect(followed.headers.get('content-type')).to.match(/^text\/html/);
  });

  it('two replies posted back to back are both processed, in order', async () => {
    const t = await agent();
    const s = await started(t);
    await reply(t, s.threadId, "I'd do it for $2,300");
    await reply(t, s.threadId, "Sounds great, let's do it");
    const n = await waitForState(t, s.id, 'agreed');
    expect(n.agreedRate).to.equal(n.lastOfferedRate);
    expect(Number(n.agreedRate)).to.be.greaterThan(2000).and.lessThan(2300);
    expect(timelineOf(n, 'email_received').map((e) => e.text)).to.deep.equal([
      "I'd do it for $2,300",
      "Sounds great, let's do it",
    ]);
    expect(await waitForMailCount(t, MAYA, 3)).to.have.length(3);
  });

  it('a reply after the deal is closed is recorded but never answered', async () => {
    const t = await agent();
    const s = await started(t);
    await reply(t, s.threadId, "Sounds great, let's do it");
    await waitForState(t, s.id, 'agreed');
    await waitForMailCount(t, MAYA, 2);
    await reply(t, s.threadId, 'Actually, could we make it $2,500?');
    await until(async () => timelineOf(await negotiation(t, s.id), 'email_received').length === 2);
    await sleep(150);
    const n = await negotiation(t, s.id);
    expect(n.state).to.equal('agreed');
    expect(n.agreedRate).to.equal('2000.00');
    expect(await mail(t, { to: MAYA })).to.have.length(2);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Counter within bounds
// ---------------------------------------------------------------------------------------------------------------

describe('e2e: counter within bounds', () => {
  it('"I\'d do it for $2,300" gets a counter strictly between our offer and the ask', async () => {
    const t = await agent();
    const s = await started(t); // no maxCostWithoutApproval
    const theirs = await reply(t, s.threadId, "I'd do it for $2,300");
    const n = await waitForState(t, s.id, 'counter_sent');

    expect(n.theirLastAsk).to.equal('2300.00');
    expect(n.lastOfferedRate).to.match(MONEY);
    const rate = Number(n.lastOfferedRate);
    expect(rate).to.be.greaterThan(2000).and.lessThan(2300);
    expect(Number.isInteger(rate), 'counters are whole dollars (D3.5)').to.equal(true);
    expect(n.round).to.equal(1);

    const thread = await waitForMailCount(t, MAYA, 2);
    expect(thread).to.have.length(2);
    const counter = thread[1];
    expect(counter.threadId).to.equal(s.threadId);
    expect(counter.subject).to.equal('Re: Collaboration Opportunity - Glow Skincare');
    expect(counter.inReplyTo).to.equal(theirs.messageId);
    expect(counter.text).to.contain(usd(n.lastOfferedRate));
    // Every amount the email offers is our counter (the ask may only appear struck through in the SOW).
    const offered = (counter.text.match(/\$[\d,]+(?:\.\d{2})?/g) ?? []).map(dollars);
    expect(offered).to.include(rate);
    for (const amount of offered) expect([rate, 2300]).to.include(amount);
  });

  it('an ask at or below our offer is agreed at the ask (D3.2)', async () => {
    const t = await agent();
    const s = await started(t);
    await reply(t, s.threadId, 'I can do it for $1,800.');
    const n = await waitForState(t, s.id, 'agreed');
    expect(n.agreedRate).to.equal('1800.00');
    expect(n.agreedCpm).to.equal('22.50');
    const thread = await waitForMailCount(t, MAYA, 2);
    expect(thread[1].text).to.contain('$1,800');
    expect(thread[1].text).to.not.contain('$2,000');
  });

  it('the engagement premium is really used: $2,550 (above the $2,400 CPM ceiling) is countered, not escalated', async () => {
    const t = await agent();
    const s = await started(t); // engagement 4.5% -> +8% on the ceiling, about $2,592
    await reply(t, s.threadId, "I'd do it for $2,550");
    const n = await waitForState(t, s.id, 'counter_sent');
    const rate = Number(n.lastOfferedRate);
    expect(rate).to.be.greaterThan(2000).and.lessThan(2550);
    expect(timelineOf(n, 'escalation')).to.deep.equal([]);
  });

  it('our offers never go down and never exceed the effective ceiling (D3.3)', async () => {
    const t = await agent();
    const s = await started(t);
    let previous = 2000;
    for (const ask of ['$2,700', '$2,650', '$2,620']) {
      const before = timelineOf(await negotiation(t, s.id), 'email_received').length;
      await reply(t, s.threadId, `My rate is ${ask}.`);
      const n = await waitForReceived(t, s.id, before + 1);
      if (['rejected', 'escalated', 'agreed'].includes(n.state)) break;
      const rate = Number(n.lastOfferedRate);
      expect(rate, `offer after ${ask}`).to.be.at.least(previous).and.at.most(2592);
      previous = rate;
    }
    for (const m of await mail(t, { to: MAYA })) {
      const amounts = (m.text.match(/\$[\d,]+\.\d{2}/g) ?? []).map(dollars);
      const offered = amounts.filter((a) => ![2700, 2650, 2620, 25].includes(a));
      for (const a of offered) expect(a, m.text).to.be.at.most(2592);
    }
  });

  it('the next ask within 5% of it is agreed at the ask', async () => {
    const t = await agent();
    const s = await started(t);
    await reply(t, s.threadId, "I'd do it for $2,300");
    const first = await waitForState(t, s.id, 'counter_sent');
    const ourCounter = Number(first.lastOfferedRate);
    // Pick an ask within 5% of itself above our counter.
    const ask = Math.floor(ourCounter * 1.04);
    await reply(t, s.threadId, `Meet me at $${ask.toLocaleString('en-US')} and we have a deal.`);
    const n = await waitForState(t, s.id, 'agreed');
    expect(n.agreedRate).to.equal(`${ask}.00`);
    const thread = await waitForMailCount(t, MAYA, 3);
    expect(thread[2].text).to.contain(usd(`${ask}.00`));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 3. Ask above the limit -> escalation -> approval
// ---------------------------------------------------------------------------------------------------------------

describe('e2e: escalation above the limit and approval', () => {
  it('"My rate is $3,200" escalates with no email and a Slack escalation with the reason and figures', async () => {
    const t = await agent();
    const s = await escalated(t);
    const n = await negotiation(t, s.id);
    expect(n.state).to.equal('escalated');
    expect(n.theirLastAsk).to.equal('3200.00');
    expect(n.lastOfferedRate).to.equal('2000.00');
    await sleep(100);
    expect(await mail(t, { to: MAYA }), 'no email while escalated').to.have.length(1);

    const messages = (await slack(t, s.id)).filter((m) => m.kind === 'escalation');
    expect(messages).to.have.length(1);
    const content = `${messages[0].text}\n${JSON.stringify(messages[0].blocks)}`;
    const [entry] = timelineOf(n, 'escalation');
    expect(entry, 'the escalation is in the timeline').to.not.equal(undefined);
    expect(entry.reason).to.be.a('string').and.not.equal('');
    expect(content).to.contain(String(entry.reason));
    expect(content).to.contain('$3,200'); // their ask
    expect(content).to.contain('$2,000'); // our offer
    expect(content).to.contain('$2,300'); // the max cost without approval
    expect(content).to.contain('Maya Lopez');
  });

  it('the negotiation detail of an escalated negotiation shows money only as decimal strings', async () => {
    const t = await agent();
    const s = await escalated(t);
    const n = await negotiation(t, s.id);
    const offenders: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (/cents$/i.test(k)) offenders.push(`${path}.${k}=${JSON.stringify(v)}`);
          walk(v, `${path}.${k}`);
        }
      }
    };
    walk(n, 'body');
    expect(offenders, 'integer-cent fields on the wire').to.deep.equal([]);
  });

  it('a hostile reply escalates; the Slack message quotes it escaped (no <!channel>, no injected link)', async () => {
    const t = await agent();
    const s = await started(t);
    await reply(t, s.threadId, 'This is a scam <!channel> <https://evil.example|click here>');
    await waitForState(t, s.id, 'escalated');
    const message = await until(async () => (await slack(t, s.id)).find((m) => m.kind === 'escalation'));
    const content = `${message.text}\n${JSON.stringify(message.blocks)}`;
    expect(content).to.not.contain('<!channel>');
    expect(content).to.not.contain('<https://evil.example');
    expect(content).to.contain('scam');
    await sleep(100);
    expect(await mail(t, { to: MAYA })).to.have.length(1);
  });

  it('POST /approve {"rate":"2600.00"} sends a counter at $2,600.00 and returns to counter_sent', async () => {
    const t = await agent();
    const s = await escalated(t);
    const res = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '2600.00' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ id: s.id, previousState: 'escalated', state: 'counter_sent' });

    const n = await waitForState(t, s.id, 'counter_sent');
    expect(n.lastOfferedRate).to.equal('2600.00');
    expect(n.theirLastAsk).to.equal('3200.00');

    const thread = await waitForMailCount(t, MAYA, 2);
    expect(thread).to.have.length(2);
    expect(thread[1].threadId).to.equal(s.threadId);
    const received = timelineOf(n, 'email_received');
    expect(thread[1].inReplyTo).to.equal(received.at(-1)?.messageId);
    expect(thread[1].text).to.contain('$2,600.00');

    const approvals = timelineOf(n, 'approval');
    expect(approvals).to.have.length(1);
    expect(approvals[0].rate).to.equal('2600.00');
  });

  it('approving below our last offer or above their ask is refused with 422 and changes nothing', async () => {
    const t = await agent();
    const s = await escalated(t);

    const below = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '1500.00' });
    expectError(below, 422);
    const above = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '3500.00' });
    expectError(above, 422);
    const junk = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: 'lots' });
    expectError(junk, 400);
    const missing = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, {});
    expectError(missing, 400);

    await sleep(100);
    const n = await negotiation(t, s.id);
    expect(n.state).to.equal('escalated');
    expect(n.lastOfferedRate).to.equal('2000.00');
    expect(timelineOf(n, 'approval')).to.deep.equal([]);
    expect(await mail(t, { to: MAYA })).to.have.length(1);
  });

  it('approving a negotiation that is not escalated is 409; an unknown one is 404', async () => {
    const t = await agent();
    const s = await started(t, capped());
    const res = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '2100.00' });
    expectError(res, 409);
    expect((await negotiation(t, s.id)).state).to.equal('awaiting_reply');
    expect(await mail(t, { to: MAYA })).to.have.length(1);

    const unknown = await t.call('POST', '/api/v1/negotiations/neg-does-not-exist/approve', { rate: '2100.00' });
    expectError(unknown, 404);
  });

  it('a second approval after the counter went out is 409', async () => {
    const t = await agent();
    const s = await escalated(t);
    const first = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: 2600 });
    expect(first.status).to.equal(200);
    await waitForState(t, s.id, 'counter_sent');
    const again = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '2700.00' });
    expectError(again, 409);
    expect(await mail(t, { to: MAYA })).to.have.length(2);
  });

  it('the Slack "Approve counter" button (sandbox action) takes the same path as the API', async () => {
    const t = await agent();
    const s = await escalated(t);
    const [message] = (await slack(t, s.id)).filter((m) => m.kind === 'escalation');
    expect(JSON.stringify(message.blocks)).to.match(/Approve counter at \$[\d,]+\.\d{2}/);
    const res = await t.call('POST', '/sandbox/slack/actions', {
      action: 'approve',
      negotiationId: s.id,
      user: 'U123',
      rate: '2600.00',
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const n = await waitForState(t, s.id, 'counter_sent');
    expect(n.lastOfferedRate).to.equal('2600.00');
    const approvals = timelineOf(n, 'approval');
    expect(approvals).to.have.length(1);
    expect(String(approvals[0].by)).to.contain('U123');
    expect((await waitForMailCount(t, MAYA, 2))[1].text).to.contain('$2,600.00');
  });

  it('"Walk away" sends a warm exit email and the negotiation is rejected', async () => {
    const t = await agent();
    const s = await escalated(t);
    const res = await t.call('POST', '/sandbox/slack/actions', {
      action: 'walk_away',
      negotiationId: s.id,
      user: 'U1',
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    await waitForState(t, s.id, 'rejected');
    const thread = await waitForMailCount(t, MAYA, 2);
    expect(thread[1].threadId).to.equal(s.threadId);
    expect(thread[1].text).to.not.contain('$3,200');
  });

  it('POST /api/v1/negotiations/:id/walk-away does the same, and only on an escalated negotiation', async () => {
    const t = await agent();
    const s = await escalated(t);
    const res = await t.call('POST', `/api/v1/negotiations/${s.id}/walk-away`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.include({ previousState: 'escalated', state: 'rejected' });
    expect(await waitForMailCount(t, MAYA, 2)).to.have.length(2);
    const again = await t.call('POST', `/api/v1/negotiations/${s.id}/walk-away`);
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('invalid_state');
  });

  it('a reply while escalated is recorded, relayed to Slack in the escalation thread, and not answered (D1)', async () => {
    const t = await agent();
    const s = await escalated(t);
    const [escalation] = (await slack(t, s.id)).filter((m) => m.kind === 'escalation');
    await reply(t, s.threadId, 'Any news on my rate? I have another offer.');
    const relayed = await until(async () =>
      (await slack(t, s.id)).find((m) => m.kind === 'notice' && JSON.stringify(m.blocks).includes('another offer')),
    );
    expect(relayed.threadTs).to.equal(escalation.ts);
    const n = await negotiation(t, s.id);
    expect(n.state).to.equal('escalated');
    expect(timelineOf(n, 'email_received')).to.have.length(2);
    expect(await mail(t, { to: MAYA })).to.have.length(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 4. Rejection
// ---------------------------------------------------------------------------------------------------------------

describe('e2e: rejection', () => {
  it('"I\'m going to pass on this one" -> rejected, no email, no Slack message', async () => {
    const t = await agent();
    const s = await started(t);
    const slackBefore = (await slack(t)).length;
    await reply(t, s.threadId, "Thanks so much, but I'm going to pass on this one.");
    const n = await waitForState(t, s.id, 'rejected');
    expect(n.agreedRate).to.equal(null);
    await sleep(150);
    expect(await mail(t, { to: MAYA })).to.have.length(1);
    expect(await slack(t, s.id)).to.deep.equal([]);
    expect(await slack(t)).to.have.length(slackBefore);
    const transitions = timelineOf(await negotiation(t, s.id), 'state_transition').map((e) => e.to);
    expect(transitions.at(-1)).to.equal('rejected');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 5. Pause / resume / stop
// ---------------------------------------------------------------------------------------------------------------

describe('e2e: pause, resume and stop', () => {
  it('pause -> 200 {previousState, state:"paused"}; resume -> the pre-pause state', async () => {
    const t = await agent();
    const s = await started(t);
    const paused = await control(t, s.id, 'pause');
    expect(paused.status, JSON.stringify(paused.body)).to.equal(200);
    expect(paused.body).to.include({ id: s.id, previousState: 'awaiting_reply', state: 'paused' });
    expect((await negotiation(t, s.id)).state).to.equal('paused');

    const resumed = await control(t, s.id, 'resume');
    expect(resumed.status).to.equal(200);
    expect(resumed.body).to.include({ id: s.id, previousState: 'paused', state: 'awaiting_reply' });
    expect((await negotiation(t, s.id)).state).to.equal('awaiting_reply');
  });

  it('resume returns to counter_sent (not the first waiting state) when paused there', async () => {
    const t = await agent();
    const s = await started(t);
    await reply(t, s.threadId, "I'd do it for $2,300");
    await waitForState(t, s.id, 'counter_sent');
    expect((await control(t, s.id, 'pause')).body).to.include({ previousState: 'counter_sent', state: 'paused' });
    expect((await control(t, s.id, 'resume')).body).to.include({ previousState: 'paused', state: 'counter_sent' });
  });

  it('a reply while paused is recorded, not answered, and answered after resume', async () => {
    const t = await agent();
    const s = await started(t);
    expect((await control(t, s.id, 'pause')).status).to.equal(200);
    await reply(t, s.threadId, "I'd do it for $2,300");
    const whilePaused = await until(async () => {
      const n = await negotiation(t, s.id);
      return timelineOf(n, 'email_received').length === 1 ? n : undefined;
    });
    expect(whilePaused.state).to.equal('paused');
    const received = timelineOf(whilePaused, 'email_received')[0];
    expect(received.text).to.equal("I'd do it for $2,300");
    await sleep(150);
    expect(await mail(t, { to: MAYA }), 'no email while paused').to.have.length(1);

    const resumed = await control(t, s.id, 'resume');
    expect(resumed.status).to.equal(200);
    expect(resumed.body.previousState).to.equal('paused');
    const n = await waitForState(t, s.id, 'counter_sent');
    expect(n.theirLastAsk).to.equal('2300.00');
    const thread = await waitForMailCount(t, MAYA, 2);
    expect(thread[1].text).to.contain(usd(n.lastOfferedRate));
    expect(timelineOf(n, 'email_received')).to.have.length(1);
  });

  it('a pause racing a reply loses nothing and doubles nothing', async () => {
    const t = await agent();
    const s = await started(t);
    await reply(t, s.threadId, "I'd do it for $2,300");
    const paused = await control(t, s.id, 'pause');
    expect(paused.status, JSON.stringify(paused.body)).to.equal(200);
    expect(paused.body.state).to.equal('paused');
    expect((await control(t, s.id, 'resume')).status).to.equal(200);
    const n = await waitForState(t, s.id, 'counter_sent');
    expect(timelineOf(n, 'email_received')).to.have.length(1);
    await sleep(150);
    expect(await mail(t, { to: MAYA })).to.have.length(2);
  });

  it('pause twice -> 409; resume when not paused -> 409', async () => {
    const t = await agent();
    const s = await started(t);
    expectError(await control(t, s.id, 'resume'), 409);
    expect((await control(t, s.id, 'pause')).status).to.equal(200);
    expectError(await control(t, s.id, 'pause'), 409);
    expect((await negotiation(t, s.id)).state).to.equal('paused');
  });

  it('stop -> stopped (terminal): stop, pause and resume later -> 409; replies are not answered', async () => {
    const t = await agent();
    const s = await started(t);
    const stopped = await control(t, s.id, 'stop');
    expect(stopped.status).to.equal(200);
    expect(stopped.body).to.include({ id: s.id, previousState: 'awaiting_reply', state: 'stopped' });
    expectError(await control(t, s.id, 'stop'), 409);
    expectError(await control(t, s.id, 'pause'), 409);
    expectError(await control(t, s.id, 'resume'), 409);
    await reply(t, s.threadId, "Sounds great, let's do it");
    await until(async () => timelineOf(await negotiation(t, s.id), 'email_received').length === 1);
    await sleep(150);
    expect((await negotiation(t, s.id)).state).to.equal('stopped');
    expect(await mail(t, { to: MAYA })).to.have.length(1);
  });

  it('a paused negotiation can be stopped', async () => {
    const t = await agent();
    const s = await started(t);
    await control(t, s.id, 'pause');
    const res = await control(t, s.id, 'stop');
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ previousState: 'paused', state: 'stopped' });
  });

  it('controls on an unknown negotiation -> 404', async () => {
    const t = await agent();
    for (const action of ['pause', 'resume', 'stop', 'claim', 'release']) {
      expectError(await control(t, 'neg-unknown', action), 404);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 6. Claim / release (human control)
// ---------------------------------------------------------------------------------------------------------------

describe('e2e: claim and release', () => {
  it('a claimed negotiation relays replies to Slack and does not answer; after release it answers again', async () => {
    const t = await agent();
    const s = await started(t);
    const claimed = await control(t, s.id, 'claim');
    expect(claimed.status, JSON.stringify(claimed.body)).to.equal(200);
    expect(claimed.body).to.include({ id: s.id, previousState: 'awaiting_reply' });
    expect((await negotiation(t, s.id)).humanControlled).to.equal(true);

    await reply(t, s.threadId, "I'd do it for $2,300");
    const notice = await until(async () =>
      (await slack(t, s.id)).find((m) => m.kind === 'notice' && JSON.stringify(m.blocks).includes('2,300')),
    );
    expect(notice).to.not.equal(undefined);
    await sleep(150);
    expect(await mail(t, { to: MAYA }), 'no automatic answer while claimed').to.have.length(1);
    const during = await negotiation(t, s.id);
    expect(during.humanControlled).to.equal(true);
    expect(timelineOf(during, 'email_received')).to.have.length(1);

    const released = await control(t, s.id, 'release');
    expect(released.status).to.equal(200);
    expect((await negotiation(t, s.id)).humanControlled).to.equal(false);

    await reply(t, s.threadId, "Sounds great, let's do it");
    await waitForState(t, s.id, 'agreed');
    const thread = await waitForMailCount(t, MAYA, 2);
    expect(thread).to.have.length(2);
  });

  it('claim twice -> 409; release when not claimed -> 409', async () => {
    const t = await agent();
    const s = await started(t);
    expectError(await control(t, s.id, 'release'), 409);
    expect((await control(t, s.id, 'claim')).status).to.equal(200);
    expectError(await control(t, s.id, 'claim'), 409);
    expect((await control(t, s.id, 'release')).status).to.equal(200);
  });

  it('a message in the thread from an unknown sender is a human takeover (D6)', async () => {
    const t = await agent();
    const s = await started(t);
    await reply(t, s.threadId, 'Hi Maya, jumping in from the Glow team - happy to do $2,300.', {
      from: 'Sarah <sarah@glowskincare.com>',
    });
    await until(async () => timelineOf(await negotiation(t, s.id), 'email_received').length === 1);
    await sleep(200);
    const n = await negotiation(t, s.id);
    expect(n.humanControlled, 'an unknown sender in the thread takes the negotiation over').to.equal(true);
    expect(await mail(t, { to: MAYA }), 'the agent stops answering').to.have.length(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 7. Dedupe
// ---------------------------------------------------------------------------------------------------------------

describe('e2e: exactly-once inbound mail and idempotent campaigns', () => {
  it('re-posting the same inbound messageId -> 202 {duplicate:true} and no second processing', async () => {
    const t = await agent();
    const s = await started(t);
    const first = await reply(t, s.threadId, "I'd do it for $2,300", { messageId: '<dup-1@maya.example>' });
    expect(first.messageId).to.equal('<dup-1@maya.example>');
    expect(first.duplicate).to.not.equal(true);
    const again = await reply(t, s.threadId, "I'd do it for $2,300", { messageId: '<dup-1@maya.example>' });
    expect(again).to.deep.equal({ messageId: '<dup-1@maya.example>', duplicate: true });

    await waitForState(t, s.id, 'counter_sent');
    const third = await reply(t, s.threadId, 'different text, same id', { messageId: '<dup-1@maya.example>' });
    expect(third.duplicate).to.equal(true);

    await sleep(200);
    const n = await negotiation(t, s.id);
    expect(n.state).to.equal('counter_sent');
    expect(n.round).to.equal(1);
    expect(timelineOf(n, 'email_received')).to.have.length(1);
    expect(await mail(t, { to: MAYA }), 'one answer').to.have.length(2);
  });

  it('re-posting the same campaign -> 200 with the same negotiations and nothing new', async () => {
    const t = await agent();
    const first = await createCampaign(t);
    await waitForMailCount(t, MAYA, 1);
    const slackBefore = await slack(t);
    const again = await createCampaign(t, glowCampaign(), 200);
    expect(again.id).to.equal('cmp-1');
    expect(again.negotiations.map((n) => n.id)).to.deep.equal(first.negotiations.map((n) => n.id));
    await sleep(150);
    expect(await mail(t, { to: MAYA })).to.have.length(1);
    expect((await t.call('GET', '/api/v1/negotiations')).body).to.have.length(1);
    expect(await slack(t)).to.deep.equal(slackBefore);
  });

  it('re-posting with the email in another case is still the same influencer', async () => {
    const t = await agent();
    const first = await createCampaign(t);
    await waitForMailCount(t, MAYA, 1);
    const body = glowCampaign();
    const again = await t.call('POST', '/api/v1/campaigns', {
      ...body,
      influencers: [{ ...body.influencers[0], email: 'Maya@Gmail.com' }],
    });
    expect(again.status).to.equal(200);
    expect(again.body.negotiations.map((n: { id: string }) => n.id)).to.deep.equal([first.negotiations[0].id]);
    await sleep(100);
    expect(await mail(t)).to.have.length(1);
  });

  it('re-posting a campaign that has a skipped row does not announce it again', async () => {
    const t = await agent();
    const body = glowCampaign({
      influencers: [...glowCampaign().influencers, { name: 'Zero Views', email: 'zero@example.com', averageViews: 0 }],
    });
    await createCampaign(t, body);
    await waitForMailCount(t, MAYA, 1);
    await sleep(100);
    const before = await slack(t);
    await createCampaign(t, body, 200);
    await sleep(150);
    expect(await slack(t), 'no new Slack message for an unchanged campaign').to.deep.equal(before);
  });

  it("the agent's own address posting in the thread is never treated as a reply (D9)", async () => {
    const t = await agent();
    const s = await started(t);
    const res = await t.call('POST', '/sandbox/mail', {
      from: 'The Partnerships Team <deals@agency.example>',
      threadId: s.threadId,
      text: "Sounds great, let's do it",
    });
    expect(res.status).to.equal(202);
    await sleep(200);
    const n = await negotiation(t, s.id);
    expect(n.state).to.equal('awaiting_reply');
    expect(timelineOf(n, 'email_received')).to.deep.equal([]);
    expect(await mail(t, { to: MAYA })).to.have.length(1);
  });

  it('the same campaign id with different terms -> 409 and nothing changes', async () => {
    const t = await agent();
    await createCampaign(t);
    const res = await t.call('POST', '/api/v1/campaigns', glowCampaign({ cpmTarget: '30' }));
    expectError(res, 409);
    const [campaign] = (await t.call('GET', '/api/v1/campaigns')).body;
    expect(campaign.negotiations).to.equal(1);
    const detail = await t.call('GET', '/api/v1/campaigns/cmp-1');
    expect(detail.status).to.equal(200);
    expect(detail.body.negotiations).to.have.length(1);
    expect(await mail(t, { to: MAYA })).to.have.length(1);
  });

  it('adding a new influencer to the same campaign creates only that one', async () => {
    const t = await agent();
    const first = await createCampaign(t);
    await waitForMailCount(t, MAYA, 1);
    const ben = { name: 'Ben Ortiz', email: 'ben@example.com', platform: 'instagram', averageViews: 40000 };
    const body = glowCampaign();
    const res = await t.call('POST', '/api/v1/campaigns', { ...body, influencers: [...body.influencers, ben] });
    expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
    const ids = (res.body.negotiations as { id: string; influencer: { email: string } }[]).map((n) => n.id);
    expect(ids).to.include(first.negotiations[0].id);
    expect(ids).to.have.length(2);
    const all = (await t.call('GET', '/api/v1/negotiations?campaign=cmp-1')).body as {
      influencer: { email: string };
    }[];
    expect(all.map((n) => n.influencer.email).sort()).to.deep.equal(['ben@example.com', MAYA]);
    const benMail = await waitForMailCount(t, 'ben@example.com', 1);
    expect(benMail[0].text).to.contain('$1,000.00'); // 40,000 views at a $25 CPM
    await sleep(100);
    expect(await mail(t, { to: MAYA }), 'Maya is not emailed again').to.have.length(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 8. Durability across restarts
// ---------------------------------------------------------------------------------------------------------------

describe('e2e: durability across restarts', () => {
  it('a negotiation mid-way continues after a restart', async () => {
    const t = await agent();
    const s = await started(t);
    await reply(t, s.threadId, "I'd do it for $2,300");
    const before = await waitForState(t, s.id, 'counter_sent');
    await waitForMailCount(t, MAYA, 2);

    await t.restart();
    const after = await negotiation(t, s.id);
    expect(after.state).to.equal('counter_sent');
    expect(after.lastOfferedRate).to.equal(before.lastOfferedRate);
    expect(after.theirLastAsk).to.equal('2300.00');
    expect(after.round).to.equal(1);

    const accepted = await reply(t, s.threadId, "Sounds great, let's do it");
    const done = await waitForState(t, s.id, 'agreed');
    expect(done.agreedRate).to.equal(before.lastOfferedRate);
    const thread = await waitForMailCount(t, MAYA, 3);
    expect(thread).to.have.length(3);
    expect(thread[2].inReplyTo).to.equal(accepted.messageId);
    expect(thread[2].references).to.include(thread[1].messageId);
    expect(thread[2].subject).to.equal('Re: Collaboration Opportunity - Glow Skincare');
  });

  it('a paused negotiation resumes to its exact pre-pause state after a restart', async () => {
    const t = await agent();
    const s = await started(t);
    await reply(t, s.threadId, "I'd do it for $2,300");
    await waitForState(t, s.id, 'counter_sent');
    expect((await control(t, s.id, 'pause')).body.state).to.equal('paused');

    await t.restart();
    expect((await negotiation(t, s.id)).state).to.equal('paused');
    const resumed = await control(t, s.id, 'resume');
    expect(resumed.status).to.equal(200);
    expect(resumed.body).to.include({ previousState: 'paused', state: 'counter_sent' });
    expect((await negotiation(t, s.id)).state).to.equal('counter_sent');
  });

  it('a reply recorded while paused is answered on resume after a restart', async () => {
    const t = await agent();
    const s = await started(t);
    await control(t, s.id, 'pause');
    await reply(t, s.threadId, "I'd do it for $2,300");
    await until(async () => timelineOf(await negotiation(t, s.id), 'email_received').length === 1);

    await t.restart();
    expect((await negotiation(t, s.id)).state).to.equal('paused');
    expect(await mail(t, { to: MAYA })).to.have.length(1);
    expect((await control(t, s.id, 'resume')).status).to.equal(200);
    const n = await waitForState(t, s.id, 'counter_sent');
    expect(n.theirLastAsk).to.equal('2300.00');
    expect(await waitForMailCount(t, MAYA, 2)).to.have.length(2);
  });

  it('an inbound duplicate after a restart is still a no-op', async () => {
    const t = await agent();
    const s = await started(t);
    await reply(t, s.threadId, "I'd do it for $2,300", { messageId: '<once@maya.example>' });
    await waitForState(t, s.id, 'counter_sent');
    await t.restart();
    const again = await reply(t, s.threadId, "I'd do it for $2,300", { messageId: '<once@maya.example>' });
    expect(again.duplicate).to.equal(true);
    await sleep(150);
    expect(timelineOf(await negotiation(t, s.id), 'email_received')).to.have.length(1);
    expect(await mail(t, { to: MAYA })).to.have.length(2);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 9. Timers (follow-up, stale, revival)
// ---------------------------------------------------------------------------------------------------------------

async function advance(t: TestAgent, hours: number) {
  const res = await t.call('POST', '/sandbox/clock', { advanceHours: hours });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body;
}

describe('e2e: follow-up and stale timers', () => {
  it('no follow-up before 72 h; one follow-up after 72 h; stale with a Slack notice 72 h later', async () => {
    const t = await agent();
    const s = await started(t);

    await advance(t, 71);
    await sleep(150);
    expect(await mail(t, { to: MAYA }), 'no follow-up before 72 h').to.have.length(1);

    await advance(t, 2);
    const thread = await waitForMailCount(t, MAYA, 2);
    const followUp = thread[1];
    expect(followUp.threadId).to.equal(s.threadId);
    expect(followUp.inReplyTo).to.equal(s.opening.messageId);
    expect(followUp.subject).to.equal('Re: Collaboration Opportunity - Glow Skincare');
    expect(followUp.text).to.contain('$2,000');
    expect((await negotiation(t, s.id)).state).to.equal('awaiting_reply');

    await advance(t, 71);
    await sleep(150);
    expect((await negotiation(t, s.id)).state, 'not stale before 72 h after the follow-up').to.equal('awaiting_reply');

    await advance(t, 2);
    await waitForState(t, s.id, 'stale');
    const notice = await until(async () => (await slack(t, s.id)).find((m) => m.kind === 'notice'));
    expect(notice.text).to.match(/stale/i);
    expect(await mail(t, { to: MAYA }), 'exactly one follow-up, nothing when going stale').to.have.length(2);

    await advance(t, 500);
    await sleep(150);
    expect(await mail(t, { to: MAYA }), 'nothing more once stale').to.have.length(2);
  });

  it('a reply to a stale thread revives it: counter_received -> answered', async () => {
    const t = await agent();
    const s = await started(t);
    await advance(t, 73);
    await waitForMailCount(t, MAYA, 2);
    await advance(t, 73);
    await waitForState(t, s.id, 'stale');

    await reply(t, s.threadId, "Sorry for the delay! I'd do it for $2,300");
    const n = await waitForState(t, s.id, 'counter_sent');
    const transitions = timelineOf(n, 'state_transition').map((e) => `${e.from}->${e.to}`);
    expect(transitions).to.include('stale->counter_received');
    expect(transitions.at(-1)).to.equal('counter_received->counter_sent');
    const thread = await waitForMailCount(t, MAYA, 3);
    expect(thread[2].text).to.contain(usd(n.lastOfferedRate));
  });

  it('timers survive a restart (the deadline fires after the process comes back)', async () => {
    const t = await agent();
    await started(t);
    await t.restart();
    await advance(t, 73);
    expect(await waitForMailCount(t, MAYA, 2)).to.have.length(2);
  });

  it('a claimed negotiation gets no follow-up', async () => {
    const t = await agent();
    const s = await started(t);
    await control(t, s.id, 'claim');
    await advance(t, 200);
    await sleep(200);
    expect(await mail(t, { to: MAYA })).to.have.length(1);
    expect((await negotiation(t, s.id)).state).to.equal('awaiting_reply');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 10. Stop by agency
// ---------------------------------------------------------------------------------------------------------------

describe('e2e: stop by agency', () => {
  it('stops every negotiation of "United Talent Agency" (case-insensitive) and not the others', async () => {
    const t = await agent();
    const created = await createCampaign(
      t,
      glowCampaign({
        influencers: [
          { name: 'Maya Lopez', email: MAYA, averageViews: 80000 },
          { name: 'Ana Reyes', email: 'ana@unitedtalent.com', averageViews: 60000 },
          { name: 'Leo Park', email: 'Leo.Park@UnitedTalent.com', averageViews: 50000 },
        ],
      }),
    );
    expect(created.negotiations).to.have.length(3);
    const byEmail = Object.fromEntries(created.negotiations.map((n) => [n.influencer.email, n.id]));
    const agencyIds = [byEmail['ana@unitedtalent.com'], byEmail['leo.park@unitedtalent.com']];
    expect(agencyIds.every(Boolean), JSON.stringify(byEmail)).to.equal(true);

    const res = await t.call('POST', '/api/v1/agencies/united%20talent%20agency/stop');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.agency.toLowerCase()).to.equal('united talent agency');
    expect(res.body.stopped).to.equal(2);
    expect([...res.body.ids].sort()).to.deep.equal([...agencyIds].sort());

    for (const id of agencyIds) expect((await negotiation(t, id)).state).to.equal('stopped');
    expect((await negotiation(t, byEmail[MAYA])).state).to.equal('awaiting_reply');

    const again = await t.call('POST', '/api/v1/agencies/United%20Talent%20Agency/stop');
    expect(again.status).to.equal(200);
    expect(again.body).to.deep.include({ stopped: 0, ids: [] });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 11. HTTP hygiene
// ---------------------------------------------------------------------------------------------------------------

describe('e2e: HTTP hygiene', () => {
  it('every response carries X-Request-Id; a valid incoming one is echoed, an invalid one replaced', async () => {
    const t = await agent();
    for (const [method, path] of [
      ['GET', '/health'],
      ['GET', '/api/v1/campaigns'],
      ['GET', '/nope'],
      ['POST', '/api/v1/negotiations/neg-x/pause'],
    ]) {
      const res = await t.call(method, path);
      expect(res.headers.get('x-request-id'), `${method} ${path}`).to.be.a('string').and.not.equal('');
    }
    const echoed = await t.call('GET', '/health', undefined, { 'X-Request-Id': 'req-abc.123' });
    expect(echoed.headers.get('x-request-id')).to.equal('req-abc.123');
    const bad = await t.call('GET', '/health', undefined, { 'X-Request-Id': 'not valid <script>' });
    expect(bad.headers.get('x-request-id')).to.be.a('string').and.not.equal('not valid <script>');
    const errorEcho = await t.call('GET', '/nope', undefined, { 'X-Request-Id': 'req-404' });
    expect(errorEcho.headers.get('x-request-id')).to.equal('req-404');
  });

  it('/health and /ready -> 200', async () => {
    const t = await agent();
    const health = await t.call('GET', '/health');
    expect(health.status).to.equal(200);
    expect(health.body).to.deep.equal({ status: 'ok' });
    const ready = await t.call('GET', '/ready');
    expect(ready.status).to.equal(200);
    expect(ready.body.status).to.equal('ready');
    expect(ready.body.checks).to.be.an('object');
  });

  it('unknown route -> 404 JSON error', async () => {
    const t = await agent();
    expectError(await t.call('GET', '/api/v1/nothing-here'), 404);
    expectError(await t.call('GET', '/api/v1/negotiations/neg-unknown'), 404);
    expectError(await t.call('GET', '/api/v1/campaigns/cmp-unknown'), 404);
    const wrongMethod = await t.call('DELETE', '/api/v1/campaigns');
    expect(wrongMethod.status).to.be.oneOf([404, 405]);
    expectError(wrongMethod, wrongMethod.status);
    expect(wrongMethod.headers.get('x-request-id')).to.be.a('string');
    expectError(await t.call('PROPFIND', '/health'), 405, 'method_not_allowed'); // no route knows the method
  });

  it('bad JSON -> 400; non-JSON content type -> 415; nothing stored', async () => {
    const t = await agent();
    expectError(
      await t.call('POST', '/api/v1/campaigns', '{"id": "cmp-1", ', { 'content-type': 'application/json' }),
      400,
    );
    expectError(
      await t.call('POST', '/api/v1/campaigns', JSON.stringify(glowCampaign()), { 'content-type': 'text/plain' }),
      415,
    );
    expect((await t.call('GET', '/api/v1/campaigns')).body).to.deep.equal([]);
  });

  it('a body over BODY_LIMIT_BYTES -> 413 and nothing stored', async () => {
    const t = await agent({ BODY_LIMIT_BYTES: '2048' });
    const big = glowCampaign({ businessContext: 'x'.repeat(1900), primaryGoal: 'y'.repeat(400) });
    expectError(await t.call('POST', '/api/v1/campaigns', big), 413);
    expect((await t.call('GET', '/api/v1/campaigns')).body).to.deep.equal([]);
    // A body under the limit still works.
    await createCampaign(t);
  });

  it('an unknown campaign field -> 400 naming it, nothing stored', async () => {
    const t = await agent();
    const res = await t.call('POST', '/api/v1/campaigns', glowCampaign({ discountCode: 'SAVE10' }));
    expectError(res, 400);
    expect(res.body.error.message).to.contain('discountCode');
    expect((await t.call('GET', '/api/v1/campaigns')).body).to.deep.equal([]);
    expect(await mail(t)).to.deep.equal([]);
  });

  it('invalid influencer rows are skipped with a reason (no email, zero views); nothing is created for them', async () => {
    const t = await agent();
    const created = await createCampaign(
      t,
      glowCampaign({
        influencers: [
          { name: 'Maya Lopez', email: MAYA, averageViews: 80000 },
          { name: 'No Mail', averageViews: 50000 },
          { name: 'Zero Views', email: 'zero@example.com', averageViews: 0 },
        ],
      }),
    );
    expect(created.negotiations.map((n) => n.influencer.email)).to.deep.equal([MAYA]);
    const skipped = Object.fromEntries(created.skipped.map((s) => [s.name, s.reason]));
    expect(Object.keys(skipped).sort()).to.deep.equal(['No Mail', 'Zero Views']);
    expect(skipped['No Mail']).to.match(/email/i);
    expect(skipped['Zero Views']).to.match(/views/i);

    expect((await t.call('GET', '/api/v1/negotiations')).body).to.have.length(1);
    await waitForMailCount(t, MAYA, 1);
    await sleep(100);
    const sent = await mail(t);
    expect(sent.map((m) => m.to)).to.deep.equal([MAYA]);
    // The team is told who was not started and why.
    const notices = (await slack(t)).filter((m) => m.kind === 'notice');
    expect(JSON.stringify(notices)).to.contain('Zero Views').and.to.contain('No Mail');
  });

  it('CPM target 0 -> 400 naming the field, and nothing stored', async () => {
    const t = await agent();
    const res = await t.call('POST', '/api/v1/campaigns', glowCampaign({ cpmTarget: '0' }));
    expectError(res, 400, 'invalid_campaign');
    expect(res.body.error.message).to.match(/^cpmTarget: /);
    expect((await t.call('GET', '/api/v1/campaigns')).body).to.deep.equal([]);
    expect((await t.call('GET', '/api/v1/negotiations')).body).to.deep.equal([]);
    await sleep(100);
    expect(await mail(t)).to.deep.equal([]);
  });

  it('CPM target 0 is also reported to the team with a Slack notice (D3.1)', async () => {
    const t = await agent();
    expectError(await t.call('POST', '/api/v1/campaigns', glowCampaign({ cpmTarget: '0' })), 400);
    await sleep(150);
    const notices = (await slack(t)).filter((m) => m.kind === 'notice');
    expect(notices, 'a Slack notice explains the refused campaign').to.have.length.greaterThan(0);
  });

  it('POST /sandbox/mail on an unknown thread -> 404; invalid sender -> 400', async () => {
    const t = await agent();
    const s = await started(t);
    expectError(await t.call('POST', '/sandbox/mail', { from: MAYA, threadId: 'no-such-thread', text: 'hi' }), 404);
    expectError(
      await t.call('POST', '/sandbox/mail', { from: 'not an address', threadId: s.threadId, text: 'hi' }),
      400,
    );
    expectError(await t.call('POST', '/sandbox/clock', { advanceHours: -5 }), 400);
  });

  describe('with API_TOKEN set', () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };

    it('/api/v1 and /sandbox without the bearer token -> 401 and nothing changes; with it -> works', async () => {
      const t = await agent({ API_TOKEN: TOKEN });
      expectError(await t.call('POST', '/api/v1/campaigns', glowCampaign()), 401);
      expectError(await t.call('GET', '/api/v1/campaigns'), 401);
      expectError(await t.call('GET', '/sandbox/mail'), 401);
      expectError(await t.call('GET', '/sandbox/slack'), 401);
      expectError(await t.call('POST', '/sandbox/clock', { advanceHours: 1 }), 401);
      expectError(
        await t.call('POST', '/api/v1/campaigns', glowCampaign(), { Authorization: 'Bearer wrong-token-wrong-token' }),
        401,
      );
      expectError(await t.call('POST', '/api/v1/campaigns', glowCampaign(), { Authorization: TOKEN }), 401);

      const list = await t.call('GET', '/api/v1/campaigns', undefined, auth);
      expect(list.status).to.equal(200);
      expect(list.body).to.deep.equal([]);
      const noMail = await t.call('GET', '/sandbox/mail', undefined, auth);
      expect(noMail.body).to.deep.equal([]);

      const created = await t.call('POST', '/api/v1/campaigns', glowCampaign(), auth);
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const id = created.body.negotiations[0].id;
      expectError(await t.call('POST', `/api/v1/negotiations/${id}/pause`), 401);
      expect((await t.call('GET', `/api/v1/negotiations/${id}`, undefined, auth)).body.state).to.equal(
        'awaiting_reply',
      );
      const paused = await t.call('POST', `/api/v1/negotiations/${id}/pause`, undefined, auth);
      expect(paused.status).to.equal(200);

      expect((await t.call('GET', '/health')).status).to.equal(200);
      expect((await t.call('GET', '/ready')).status).to.equal(200);
    });

    it('the token cannot be bypassed by changing the case of the path', async () => {
      const t = await agent({ API_TOKEN: TOKEN });
      const upper = await t.call('POST', '/API/v1/campaigns', glowCampaign());
      expect(upper.status, `POST /API/v1/campaigns -> ${upper.status}`).to.be.oneOf([401, 404]);
      const sandbox = await t.call('GET', '/Sandbox/mail');
      expect(sandbox.status, `GET /Sandbox/mail -> ${sandbox.status}`).to.be.oneOf([401, 404]);
      const list = await t.call('GET', '/api/v1/campaigns', undefined, auth);
      expect(list.body, 'nothing was created without the token').to.deep.equal([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 12. Read models: negotiation detail, filters, campaign stats
// ---------------------------------------------------------------------------------------------------------------

describe('e2e: negotiation detail, filters and campaign stats', () => {
  it('GET /api/v1/negotiations/:id has the summary fields, contacts and the timeline in order', async () => {
    const t = await agent();
    const s = await escalated(t);
    await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '2600.00' });
    const n = await waitForState(t, s.id, 'counter_sent');

    expect(n).to.include({ id: s.id, campaignId: 'cmp-1', threadId: s.threadId, state: 'counter_sent' });
    expect(n.influencer).to.deep.include({
      name: 'Maya Lopez',
      email: MAYA,
      platform: 'instagram',
      averageViews: 80000,
    });
    expect(n.humanControlled).to.equal(false);
    expect(n.round).to.be.a('number');
    expect(n.lastOfferedRate).to.equal('2600.00');
    expect(n.theirLastAsk).to.equal('3200.00');
    expect(n.agreedRate).to.equal(null);
    expect(n.agreedCpm).to.equal(null);
    expect(n.updatedAt).to.match(ISO);
    expect((n.contacts as { email: string; isPrimary: boolean }[]).map((c) => [c.email, c.isPrimary])).to.deep.equal([
      [MAYA, true],
    ]);
    expect(n.counterparty).to.deep.equal({ type: 'direct_influencer', agency: null });

    const timeline = n.timeline as TimelineItem[];
    expect(timeline.length).to.be.greaterThan(0);
    for (let i = 1; i < timeline.length; i++) {
      expect(timeline[i].id).to.be.greaterThan(timeline[i - 1].id);
      expect(timeline[i].at >= timeline[i - 1].at, 'timeline in time order').to.equal(true);
    }
    const kinds = timeline
      .filter((e) => ['email_sent', 'email_received', 'escalation', 'approval'].includes(e.type))
      .map((e) => e.type);
    expect(kinds).to.deep.equal(['email_sent', 'email_received', 'escalation', 'approval', 'email_sent']);
    const states = timelineOf(n, 'state_transition').map((e) => e.to);
    expect(states).to.deep.equal(['initial_offer', 'awaiting_reply', 'counter_received', 'escalated', 'counter_sent']);

    const [outreach, counter] = timelineOf(n, 'email_sent');
    expect(outreach.text).to.contain('$2,000.00');
    expect(counter.text).to.contain('$2,600.00');
    const [received] = timelineOf(n, 'email_received');
    expect(received.text).to.equal('My rate is $3,200 for this package.');
    for (const e of timeline) {
      for (const [key, value] of Object.entries(e)) {
        if (/cents$/i.test(key)) expect.fail(`timeline entry ${e.type} exposes ${key}: money must be decimal strings`);
        if (['rate', 'ask', 'askRate', 'suggested'].includes(key) && value !== null) expect(value).to.match(MONEY);
      }
    }
  });

  it('GET /api/v1/negotiations filters by campaign and state', async () => {
    const t = await agent();
    const a = await createCampaign(t);
    const b = await createCampaign(
      t,
      glowCampaign({
        id: 'cmp-2',
        client: 'Sun Co',
        influencers: [{ name: 'Ben Ortiz', email: 'ben@example.com', averageViews: 40000 }],
      }),
    );
    const ben = b.negotiations[0].id;
    const [benMail] = await waitForMailCount(t, 'ben@example.com', 1);
    await reply(t, benMail.threadId, 'Not interested, thanks.', { from: 'ben@example.com' });
    await waitForState(t, ben, 'rejected');

    const all = await t.call('GET', '/api/v1/negotiations');
    expect(all.body).to.have.length(2);
    const one = await t.call('GET', '/api/v1/negotiations?campaign=cmp-1');
    expect(one.body.map((n: { id: string }) => n.id)).to.deep.equal([a.negotiations[0].id]);
    const rejected = await t.call('GET', '/api/v1/negotiations?state=rejected');
    expect(rejected.body.map((n: { id: string }) => n.id)).to.deep.equal([ben]);
    const both = await t.call('GET', '/api/v1/negotiations?campaign=cmp-1&state=rejected');
    expect(both.body).to.deep.equal([]);
    const waiting = await t.call('GET', '/api/v1/negotiations?campaign=cmp-1&state=awaiting_reply');
    expect(waiting.body).to.have.length(1);
    const summary = waiting.body[0];
    for (const key of [
      'id',
      'campaignId',
      'threadId',
      'influencer',
      'state',
      'humanControlled',
      'round',
      'lastOfferedRate',
      'theirLastAsk',
      'agreedRate',
      'agreedCpm',
      'updatedAt',
    ]) {
      expect(summary, key).to.have.property(key);
    }
    expectError(await t.call('GET', '/api/v1/negotiations?state=bogus'), 400);
  });

  it('GET /api/v1/campaigns shows counts by state, deals agreed, average agreed CPM and budget committed', async () => {
    const t = await agent();
    await createCampaign(
      t,
      glowCampaign({
        influencers: [
          { name: 'Maya Lopez', email: MAYA, averageViews: 80000 },
          { name: 'Ben Ortiz', email: 'ben@example.com', averageViews: 80000 },
          { name: 'Cleo Diaz', email: 'cleo@example.com', averageViews: 80000 },
        ],
      }),
    );
    const initial = (await t.call('GET', '/api/v1/campaigns')).body;
    expect(initial).to.have.length(1);
    expect(initial[0]).to.include({ id: 'cmp-1', dealsAgreed: 0, budgetCommitted: '0.00', averageAgreedCpm: null });

    const [maya] = await waitForMailCount(t, MAYA, 1);
    const [ben] = await waitForMailCount(t, 'ben@example.com', 1);
    const negs = (await t.call('GET', '/api/v1/negotiations?campaign=cmp-1')).body as {
      id: string;
      influencer: { email: string };
    }[];
    const idOf = (email: string) => negs.find((n) => n.influencer.email === email)?.id as string;

    // Maya: counter, then accept our counter; Ben: accepts the opening $2,000.
    await reply(t, maya.threadId, "I'd do it for $2,300");
    const mayaCounter = await waitForState(t, idOf(MAYA), 'counter_sent');
    await reply(t, maya.threadId, "Sounds great, let's do it");
    await reply(t, ben.threadId, "Sounds great, let's do it", { from: 'ben@example.com' });
    const mayaDone = await waitForState(t, idOf(MAYA), 'agreed');
    await waitForState(t, idOf('ben@example.com'), 'agreed');
    expect(mayaDone.agreedRate).to.equal(mayaCounter.lastOfferedRate);

    const mayaRate = Number(mayaDone.agreedRate);
    const committed = (mayaRate + 2000).toFixed(2);
    // Same views for both, so the average of the CPMs equals total cost over total views.
    const average = (((mayaRate + 2000) / 160_000) * 1000).toFixed(2);

    const [c] = (await t.call('GET', '/api/v1/campaigns')).body;
    expect(c.id).to.equal('cmp-1');
    expect(c.dealsAgreed).to.equal(2);
    expect(c.budgetCommitted).to.equal(committed);
    expect(c.averageAgreedCpm).to.match(MONEY);
    expect(Math.abs(Number(c.averageAgreedCpm) - Number(average))).to.be.at.most(0.01);
    expect(c.countsByState).to.include({ agreed: 2, awaiting_reply: 1 });
    expect(c.budget).to.equal('50000.00');

    const detail = await t.call('GET', '/api/v1/campaigns/cmp-1');
    expect(detail.status).to.equal(200);
    expect(detail.body.negotiations).to.have.length(3);
    expect(detail.body.dealsAgreed).to.equal(2);
  });
});

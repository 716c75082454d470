/**
 * Reliability: duplicate and out-of-order deliveries (decisions D9), Slack and sandbox; see duplicates.reliability.ts
 * for the whole suite. RELIABILITY_SEED changes the shuffles and repeat counts.
 */
import { expect } from 'chai';
import { removeDir } from '../support/agent.ts';
import {
  blockActionsPayload,
  type FakeMessage,
  signSlackRequest,
  viewSubmissionPayload,
} from '../support/fake-slack.ts';
import {
  DEALS,
  ESCALATIONS,
  type Fakes,
  SLACK_SECRET,
  seconds,
  seededRng,
  startFakes,
  until,
} from './reliability-kit.ts';
import {
  SEED,
  agent,
  agents,
  campaign,
  count,
  createCampaign,
  deliverAll,
  influencers,
  negotiation,
  repeated,
  settle,
  timelineCounts,
} from './duplicates-kit.ts';

describe('reliability: duplicate and out-of-order deliveries are processed once', function () {
  this.timeout(300_000);
  let fakes: Fakes;

  beforeEach(async () => {
    fakes = await startFakes();
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) {
      a.client.close();
      await a.t.stop();
      removeDir(a.dataDir);
    }
    await fakes.close();
  });

  it('Slack (signed, HTTP mode): approve 5 times at once, the amount dialog 5 times, take over 5 times: each once', async () => {
    const started = performance.now();
    const rng = seededRng(SEED + 2);
    const a = await agent({
      CHAT_PROVIDER: 'slack',
      SLACK_BOT_TOKEN: fakes.slack.token,
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_API_URL: fakes.slack.apiUrl,
      SLACK_ESCALATION_CHANNEL: ESCALATIONS,
      SLACK_AGREEMENT_CHANNEL: DEALS,
    });
    const ids = await createCampaign(a, campaign('cmp-dup-slack', ['Ann Click', 'Bo Dialog', 'Cat Takeover']));
    const [ann, bo, cat] = Object.keys(ids);
    const mails = await until('3 outreach emails', async () => {
      const m = (await a.client.json('GET', '/sandbox/mail')).body as { to: string; threadId: string }[];
      return m.length === 3 ? m : undefined;
    });
    for (const email of [ann, bo, cat]) {
      const threadId = mails.find((m) => m.to === email)?.threadId;
      const res = await a.client.json('POST', '/sandbox/mail', {
        from: email,
        threadId,
        text: 'My rate for this package is $3,200.',
      });
      expect(res.status).to.equal(202);
    }
    const messageOf = (id: string) =>
      until(`the escalation of ${id}`, async () =>
        fakes.slack
          .posted(ESCALATIONS)
          .find((m) => JSON.stringify(m.blocks).includes(`negotiation:${id}`) && m.text.startsWith('Escalation')),
      );
    const [annMsg, boMsg, catMsg] = [await messageOf(ids[ann]), await messageOf(ids[bo]), await messageOf(ids[cat])];
    const click = (message: FakeMessage, actionId: string, value?: string, user = 'U0ALICE') => {
      const actions = (
        message.blocks as { type: string; block_id?: string; elements?: { action_id: string; value: string }[] }[]
      ).find((b) => b.type === 'actions');
      return blockActionsPayload({
        user,
        actionId,
        blockId: actions?.block_id ?? '',
        value: value ?? actions?.elements?.find((e) => e.action_id === actionId)?.value,
        channel: message.channel,
        message: { ts: message.ts, text: message.text, blocks: message.blocks },
        responseUrl: fakes.slack.responseUrl(),
      });
    };
    const post = async (body: string, retry: number) => {
      const res = await a.client.send({
        method: 'POST',
        path: '/slack/events',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...signSlackRequest(body, SLACK_SECRET),
          ...(retry ? { 'x-slack-retry-num': String(retry), 'x-slack-retry-reason': 'http_timeout' } : {}),
        },
        body,
      });
      return res.status;
    };

    // Ann: the approve button ("Approve counter at $X") 5 times at once.
    const approve = click(annMsg, 'approve', '260000');
    const annStatuses = await Promise.all([0, 1, 2, 3, 4].map((i) => post(approve, i)));
    // Bo: the "other amount" dialog submitted 5 times, one after the other, in a shuffled retry order.
    const dialog = viewSubmissionPayload({
      user: 'U0ALICE',
      callbackId: 'approve_other',
      privateMetadata: JSON.stringify({ negotiationId: ids[bo], channel: boMsg.channel, ts: boMsg.ts }),
      values: { amount: { amount: '2,500' } },
    });
    const boStatuses: number[] = [];
    for (const retry of rng.shuffle([0, 1, 2, 3, 4])) boStatuses.push(await post(dialog, retry));
    // Cat: take over 5 times, partly at once.
    const takeOver = click(catMsg, 'take_over');
    const catStatuses = await deliverAll(rng, [0, 1, 2, 3, 4], (retry) => post(takeOver, retry));
    expect(
      [...annStatuses, ...boStatuses, ...catStatuses].every((s) => s === 200),
      'Slack gets its 200 ack',
    ).to.equal(true);

    await settle(
      a,
      { [ids[ann]]: 'counter_sent', [ids[bo]]: 'counter_sent', [ids[cat]]: 'escalated' },
      () => fakes.slack.posted().length,
    );
    const [nAnn, nBo, nCat] = [
      await negotiation(a, ids[ann]),
      await negotiation(a, ids[bo]),
      await negotiation(a, ids[cat]),
    ];
    expect([count(nAnn, 'approval'), count(nBo, 'approval'), count(nCat, 'takeover')]).to.deep.equal([1, 1, 1]);
    expect([nAnn.lastOfferedRate, nBo.lastOfferedRate, nCat.humanControlled]).to.deep.equal([
      '2600.00',
      '2500.00',
      true,
    ]);
    const sentTo = ((await a.client.json('GET', '/sandbox/mail')).body as { to: string }[]).map((m) => m.to);
    expect(
      [ann, bo, cat].map((e) => sentTo.filter((to) => to === e).length),
      'outreach + exactly one counter for Ann and Bo; nothing more to Cat',
    ).to.deep.equal([2, 2, 1]);
    const refusals = [...fakes.slack.responses(), ...fakes.slack.ephemerals()].length;
    console.log(
      `    slack: 15 signed deliveries -> 2 approvals, 2 counter emails, 1 takeover; ${refusals} ephemeral refusals to the repeats (${seconds(started)} s)`,
    );
  });

  it('sandbox: replies re-posted with the same messageId up to 5 times across threads, approve x5, campaign x5: each once', async () => {
    const started = performance.now();
    const rng = seededRng(SEED + 3);
    const a = await agent({});
    const names = ['Gia Alpha', 'Hal Beta', 'Ivy Gamma', 'Jon Delta', 'Kai Epsilon'];
    const body = campaign('cmp-dup-sandbox', names);
    // The same campaign posted 5 times at once: one 201, then 200s, one negotiation per influencer.
    const posts = await Promise.all([0, 1, 2, 3, 4].map(() => a.client.json('POST', '/api/v1/campaigns', body)));
    expect(posts.map((p) => p.status).sort()).to.deep.equal([200, 200, 200, 200, 201]);
    const ids = Object.fromEntries(
      (
        (posts.find((p) => p.status === 201)?.body.negotiations ?? []) as {
          id: string;
          influencer: { email: string };
        }[]
      ).map((n) => [n.influencer.email, n.id]),
    ) as Record<string, string>;
    for (const p of posts)
      expect((p.body.negotiations as { id: string }[]).map((n) => n.id).sort()).to.deep.equal(
        Object.values(ids).sort(),
      );
    // ... and 5 more at once with one new influencer: it is started once.
    const more = { ...body, influencers: influencers([...names, 'Lea Zeta']) };
    const morePosts = await Promise.all([0, 1, 2, 3, 4].map(() => a.client.json('POST', '/api/v1/campaigns', more)));
    expect(morePosts.map((p) => p.status).sort()).to.deep.equal([200, 200, 200, 200, 201]);
    const emails = influencers([...names, 'Lea Zeta']).map((i) => i.email);
    const mails = await until('6 outreach emails', async () => {
      const m = (await a.client.json('GET', '/sandbox/mail')).body as { to: string; threadId: string }[];
      return m.length === 6 ? m : undefined;
    });
    const negotiations = (await a.client.json('GET', '/api/v1/negotiations')).body as {
      id: string;
      influencer: { email: string };
    }[];
    expect(negotiations).to.have.length(6);
    for (const n of negotiations) ids[n.influencer.email] = n.id;
    const thread = (email: string) => mails.find((m) => m.to === email)?.threadId as string;
    await settle(a, Object.fromEntries(emails.map((e) => [ids[e], 'awaiting_reply'])));

    const [gia, hal, ivy, jon, kai, lea] = emails;
    const replies = [
      { from: gia, messageId: '<r1-gia@mail.example>', text: "Sounds great, let's do it!" },
      { from: hal, messageId: '<r1-hal@mail.example>', text: "I'd do it for $2,200." },
      { from: ivy, messageId: '<r1-ivy@mail.example>', text: 'My rate for this package is $3,200.' },
      { from: jon, messageId: '<r1-jon@mail.example>', text: 'When would the content need to go live?' },
      { from: kai, messageId: '<r1-kai@mail.example>', text: "Thanks, but I'll pass on this one." },
    ];
    // Each 1-5 times, shuffled across threads, partly at once. Once every message is in (the first two copies,
    // identical), the later copies follow, some with another text under the same messageId: they change nothing.
    const copies = repeated(rng, replies);
    const post = async (r: (typeof replies)[number]) => {
      const res = await a.client.json('POST', '/sandbox/mail', {
        from: r.from,
        threadId: thread(r.from),
        text: r.text,
        messageId: r.messageId,
      });
      return { status: res.status, messageId: r.messageId, duplicate: res.body.duplicate === true };
    };
    const results = [
      ...(await deliverAll(
        rng,
        copies.filter((c) => c.copy < 2).map((c) => c.item),
        post,
      )),
      ...(await deliverAll(
        rng,
        copies
          .filter((c) => c.copy >= 2)
          .map(({ item }) => (rng.chance(0.4) ? { ...item, text: 'IGNORE THIS COPY: I want $9,999.' } : item)),
        post,
      )),
    ];
    expect([...new Set(results.map((r) => r.status))]).to.deep.equal([202]);
    for (const r of replies) {
      const fresh = results.filter((x) => x.messageId === r.messageId && !x.duplicate);
      expect(fresh, `exactly one delivery of ${r.messageId} is new`).to.have.length(1);
    }
    await settle(a, {
      [ids[gia]]: 'agreed',
      [ids[hal]]: 'counter_sent',
      [ids[ivy]]: 'escalated',
      [ids[jon]]: 'counter_sent',
      [ids[kai]]: 'rejected',
      [ids[lea]]: 'awaiting_reply',
    });

    // The sandbox Slack "approve" on Ivy's escalation 5 times at once: one approval, one counter email.
    const approvals = await Promise.all(
      [0, 1, 2, 3, 4].map(() =>
        a.client.json('POST', '/sandbox/slack/actions', {
          action: 'approve',
          negotiationId: ids[ivy],
          user: 'U0BOB',
          rate: '2600',
        }),
      ),
    );
    expect(
      approvals.filter((r) => r.status === 200),
      JSON.stringify(approvals.map((r) => [r.status, r.body])),
    ).to.have.length(1);
    expect(approvals.every((r) => r.status === 200 || r.status === 409)).to.equal(true);
    // Round two: the same messageIds once more (stale re-deliveries), plus Hal and Jon accepting, each 1-5 times.
    const second = [
      ...replies,
      { from: hal, messageId: '<r2-hal@mail.example>', text: "Sounds great, let's do it!" },
      { from: jon, messageId: '<r2-jon@mail.example>', text: "Sounds great, let's do it!" },
    ];
    const results2 = await deliverAll(
      rng,
      repeated(rng, second).map((x) => x.item),
      async (r) => {
        const res = await a.client.json('POST', '/sandbox/mail', {
          from: r.from,
          threadId: thread(r.from),
          text: r.text,
          messageId: r.messageId,
        });
        return { status: res.status, messageId: r.messageId, duplicate: res.body.duplicate === true };
      },
    );
    expect([...new Set(results2.map((r) => r.status))]).to.deep.equal([202]);
    expect(
      results2
        .filter((r) => !r.duplicate)
        .map((r) => r.messageId)
        .sort(),
    ).to.deep.equal(['<r2-hal@mail.example>', '<r2-jon@mail.example>']);
    await settle(a, { [ids[hal]]: 'agreed', [ids[jon]]: 'agreed', [ids[ivy]]: 'counter_sent' });

    const received: number[] = [];
    const sent: number[] = [];
    for (const email of emails) {
      const n = await negotiation(a, ids[email]);
      received.push(count(n, 'email_received'));
      sent.push(count(n, 'email_sent'));
      expect(
        n.timeline
          .filter((e) => e.type === 'email_received')
          .every((e) => !String(e.text).includes('IGNORE THIS COPY')),
        'the first copy of a messageId is the one kept',
      ).to.equal(true);
    }
    expect(received, 'replies taken per negotiation').to.deep.equal([1, 2, 1, 2, 1, 0]);
    expect(sent, 'emails per negotiation').to.deep.equal([2, 3, 2, 3, 1, 1]);
    const allMail = (await a.client.json('GET', '/sandbox/mail')).body as unknown[];
    expect(allMail, 'every email in the mailbox once').to.have.length(12);
    const timeline = timelineCounts(a.agentDb);
    expect([timeline.email_received, timeline.email_sent, timeline.agreement, timeline.approval]).to.deep.equal([
      7, 12, 3, 1,
    ]);
    const slackMessages = (await a.client.json('GET', '/sandbox/slack')).body as { kind: string }[];
    expect(slackMessages.filter((m) => m.kind === 'agreement')).to.have.length(3);
    expect(slackMessages.filter((m) => m.kind === 'escalation')).to.have.length(1);
    expect(
      (await a.client.json('GET', '/api/v1/campaigns')).body.map((c: { id: string; negotiations: number }) => [
        c.id,
        c.negotiations,
      ]),
    ).to.deep.equal([['cmp-dup-sandbox', 6]]);
    console.log(
      `    sandbox: ${results.length + results2.length} mail posts for 7 replies, 10 campaign posts, 5 approvals -> ` +
        `7 received, 12 sent, 6 negotiations, 1 approval (${seconds(started)} s)`,
    );
  });
});

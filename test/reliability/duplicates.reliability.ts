/**
 * Reliability: duplicate and out-of-order deliveries (decisions D9). Every webhook is delivered up to 5 times, in a
 * shuffled order, partly concurrently — the way Pub/Sub, ClickUp and Slack retry — and every inbound event must be
 * processed exactly once: counted in emails sent, timeline entries, inbox rows, negotiations and campaigns created,
 * Slack posts and ClickUp reads.
 *
 * - Gmail: replies on several threads in two waves; each wave's pushes (Pub/Sub envelopes with their history id and
 *   message id) are repeated 1-5 times and shuffled, and the second wave re-sends the first wave's stale pushes.
 *   A label change (a history record that is not a new message) is in the history too.
 * - ClickUp: taskCreated for several tasks, each 1-5 times, from two webhook registrations, shuffled, concurrent;
 *   then everything again, and again after a restart.
 * - Slack (HTTP mode, signed): an approve click 5 times at once, the "other amount" dialog submitted 5 times, a
 *   take-over click 5 times (with Slack's retry headers).
 * - Sandbox: replies re-posted with the same messageId up to 5 times across threads (also with another text), the
 *   sandbox approve action 5 times at once, and the same campaign posted 5 times at once.
 *
 * RELIABILITY_SEED changes the shuffles and repeat counts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { removeDir, tempDir } from '../support/agent.ts';
import { campaignTask, signedDelivery, taskCreatedBody } from '../support/fake-clickup.ts';
import type { FakeMessage as GmailMessage } from '../support/fake-gmail.ts';
import {
  blockActionsPayload,
  type FakeMessage,
  signSlackRequest,
  viewSubmissionPayload,
} from '../support/fake-slack.ts';
import {
  AGENT_EMAIL,
  CLICKUP_SECRET,
  type Client,
  clickupEnv,
  DEALS,
  dbRows,
  dbDigest,
  ESCALATIONS,
  type Fakes,
  httpClient,
  integrationsEnv,
  PUSH_ACCOUNT,
  PUSH_AUDIENCE,
  pushBody,
  quiesce,
  type Rng,
  SLACK_SECRET,
  seconds,
  seededRng,
  sleep,
  startAgentIn,
  startFakes,
  suiteSeed,
  until,
} from './reliability-kit.ts';

const SEED = suiteSeed(0xd0_d0_d0);
const JSON_TYPE = { 'content-type': 'application/json' };

interface Agent {
  client: Client;
  agentDb: string;
  sandboxDb: string;
  dataDir: string;
  url: string;
  t: Awaited<ReturnType<typeof startAgentIn>>['t'];
}

const agents: Agent[] = [];
async function agent(env: Record<string, string>, dataDir?: string): Promise<Agent> {
  const a = await startAgentIn(env, dataDir);
  const started = { ...a, url: a.t.url, client: httpClient(a.t.url, 32, false) };
  agents.push(started);
  return started;
}

interface Neg {
  id: string;
  state: string;
  humanControlled: boolean;
  lastOfferedRate: string | null;
  agreedRate: string | null;
  timeline: { type: string; [k: string]: unknown }[];
}

async function negotiation(a: Agent, id: string): Promise<Neg> {
  const res = await a.client.json('GET', `/api/v1/negotiations/${id}`);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body;
}

const count = (n: Neg, type: string) => n.timeline.filter((e) => e.type === type).length;

/** Waits until every negotiation is in its expected state and nothing moves any more. */
async function settle(a: Agent, expected: Record<string, string>, outside: () => unknown = () => null) {
  for (const [id, state] of Object.entries(expected)) {
    await until(`${id} ${state}`, async () => (await negotiation(a, id)).state === state);
  }
  await quiesce(a.agentDb, () => ({ agent: dbDigest(a.agentDb), sandbox: dbDigest(a.sandboxDb), outside: outside() }));
}

/** Each item `times(rng)` times (1-5), shuffled. */
function repeated<T>(rng: Rng, items: T[], min = 1): { item: T; copy: number }[] {
  const out: { item: T; copy: number }[] = [];
  for (const item of items) {
    const n = min + rng.int(6 - min);
    for (let copy = 0; copy < n; copy++) out.push({ item, copy });
  }
  return rng.shuffle(out);
}

/** Sends them all, partly at once: waves of random size, each wave concurrent, with a little jitter. */
async function deliverAll<T, R>(rng: Rng, items: T[], send: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let i = 0;
  while (i < items.length) {
    const wave = items.slice(i, i + 1 + rng.int(6));
    i += wave.length;
    results.push(
      ...(await Promise.all(
        wave.map(async (item) => {
          await sleep(rng.int(15));
          return send(item);
        }),
      )),
    );
  }
  return results;
}

const influencers = (names: string[]) =>
  names.map((name) => ({
    name,
    email: `${name.toLowerCase().replace(/\s+/g, '.')}@gmail.com`,
    platform: 'instagram',
    averageViews: 80000,
  }));

const campaign = (id: string, names: string[]) => ({
  id,
  client: 'Glow Skincare',
  platform: 'instagram',
  deliverables: '1 Instagram Reel, 2 Instagram Stories',
  budget: '50000',
  cpmTarget: '25',
  cpmLeniency: '20',
  maxCostWithoutApproval: '2300',
  influencers: influencers(names),
});

async function createCampaign(a: Agent, body: ReturnType<typeof campaign>) {
  const res = await a.client.json('POST', '/api/v1/campaigns', body);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return Object.fromEntries(
    (res.body.negotiations as { id: string; influencer: { email: string } }[]).map((n) => [n.influencer.email, n.id]),
  ) as Record<string, string>;
}

const timelineCounts = (db: string) =>
  Object.fromEntries(
    dbRows(db, 'SELECT type, count(*) AS n FROM timeline GROUP BY type ORDER BY type').map((r) => [r.type, r.n]),
  );

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

  it('Gmail: pushes for replies on several threads, each 1-5 times, shuffled, stale ones re-sent: each reply once', async () => {
    const started = performance.now();
    const rng = seededRng(SEED);
    const dir = tempDir('reliability-dup-gmail-');
    const a = await agent(integrationsEnv(fakes, dir), dir);
    const names = ['Ana One', 'Ben Two', 'Cy Three', 'Di Four', 'Ed Five', 'Flo Six'];
    const ids = await createCampaign(a, campaign('cmp-dup-gmail', names));
    const emails = Object.keys(ids);
    const outreach = await until('six outreach emails', async () => {
      const sent = fakes.gmail.sent();
      return sent.length === 6 ? sent : undefined;
    });
    const threadOf = (email: string) => outreach.find((m) => m.to.includes(email)) as GmailMessage;
    const token = fakes.google.signIdToken({ aud: PUSH_AUDIENCE, email: PUSH_ACCOUNT });
    const outside = () => ({ sends: fakes.gmail.sends, slack: fakes.slack.posted().length });
    await settle(a, Object.fromEntries(emails.map((e) => [ids[e], 'awaiting_reply'])), outside);

    const reply = async (email: string, text: string) => {
      const m = await fakes.gmail.deliver({
        from: `${email.split('@')[0]} <${email}>`,
        to: AGENT_EMAIL,
        subject: `Re: ${threadOf(email).subject}`,
        text,
        threadId: threadOf(email).threadId,
        inReplyTo: threadOf(email).messageId,
      });
      return { historyId: fakes.gmail.historyId, message: m };
    };
    const push = async (p: { historyId: string; pubsubId: string }) => {
      const res = await a.client.send({
        method: 'POST',
        path: '/webhooks/gmail',
        headers: { ...JSON_TYPE, authorization: `Bearer ${token}` },
        body: JSON.stringify(pushBody(p.historyId, AGENT_EMAIL, p.pubsubId)),
      });
      return res.status;
    };

    // Wave 1: five replies (Flo does not answer), a label change on one of them, one push per history id.
    const [ana, ben, cy, di, ed, flo] = emails;
    const wave1 = [
      await reply(ana, "Sounds great, let's do it!"),
      await reply(ben, "I'd do it for $2,200."),
      await reply(cy, 'My rate for this package is $3,200.'),
      await reply(di, 'When would the content need to go live?'),
      await reply(ed, "Thanks, but I'll pass on this one."),
    ];
    fakes.gmail.markRead(wave1[0].message.id);
    const pushes1 = [...wave1.map((r) => r.historyId), fakes.gmail.historyId].map((historyId, i) => ({
      historyId,
      pubsubId: `ps-1-${i}`,
    }));
    const statuses1 = await deliverAll(
      rng,
      repeated(rng, pushes1).map((p) => p.item),
      push,
    );
    expect([...new Set(statuses1)]).to.deep.equal([204]);
    await settle(
      a,
      {
        [ids[ana]]: 'agreed',
        [ids[ben]]: 'counter_sent',
        [ids[cy]]: 'escalated',
        [ids[di]]: 'counter_sent',
        [ids[ed]]: 'rejected',
        [ids[flo]]: 'awaiting_reply',
      },
      outside,
    );
    expect(fakes.gmail.sends, 'outreach x6 + confirmation + counter + answer').to.equal(9);

    // Wave 2: Ben and Di accept; the new pushes are mixed with every stale push of wave 1, all repeated.
    const wave2 = [await reply(ben, "Sounds great, let's do it!"), await reply(di, "Sounds great, let's do it!")];
    const pushes2 = wave2.map((r, i) => ({ historyId: r.historyId, pubsubId: `ps-2-${i}` }));
    const statuses2 = await deliverAll(
      rng,
      repeated(rng, [...pushes2, ...pushes1]).map((p) => p.item),
      push,
    );
    expect([...new Set(statuses2)]).to.deep.equal([204]);
    await settle(a, { [ids[ben]]: 'agreed', [ids[di]]: 'agreed' }, outside);

    const received: Record<string, number> = {};
    const sent: Record<string, number> = {};
    for (const email of emails) {
      const n = await negotiation(a, ids[email]);
      received[email.split('@')[0]] = count(n, 'email_received');
      sent[email.split('@')[0]] = count(n, 'email_sent');
    }
    expect(received).to.deep.equal({
      'ana.one': 1,
      'ben.two': 2,
      'cy.three': 1,
      'di.four': 2,
      'ed.five': 1,
      'flo.six': 0,
    });
    expect(sent).to.deep.equal({ 'ana.one': 2, 'ben.two': 3, 'cy.three': 1, 'di.four': 3, 'ed.five': 1, 'flo.six': 1 });
    expect(fakes.gmail.sends, 'every email sent through Gmail exactly once').to.equal(11);
    expect(dbRows(a.agentDb, 'SELECT count(*) AS n FROM inbox')[0].n, 'inbox rows').to.equal(7);
    const deals = fakes.slack.posted(DEALS).filter((m) => m.text.startsWith('Deal Agreed'));
    const escalations = fakes.slack.posted(ESCALATIONS).filter((m) => m.text.startsWith('Escalation'));
    expect([deals.length, escalations.length], 'Slack: 3 agreements, 1 escalation').to.deep.equal([3, 1]);
    const timeline = timelineCounts(a.agentDb);
    expect([timeline.email_received, timeline.email_sent, timeline.agreement]).to.deep.equal([7, 11, 3]);
    console.log(
      `    gmail: ${statuses1.length + statuses2.length} pushes for 7 replies -> 7 received, 11 sent, ` +
        `3 agreements, 1 escalation (${seconds(started)} s)`,
    );
  });

  it('ClickUp: taskCreated for 3 tasks, each 1-5 times from 2 webhooks, shuffled, concurrent, then again and after a restart', async () => {
    const started = performance.now();
    const rng = seededRng(SEED + 1);
    const dir = tempDir('reliability-dup-clickup-');
    mkdirSync(join(dir, 'sheets'));
    writeFileSync(
      join(dir, 'sheets', 'Glow Q2.csv'),
      'Name,Email,Platform,Average Views\nMaya Lopez,maya@gmail.com,instagram,"80,000"\nLeo Park,leo@gmail.com,instagram,"50,000"\n',
    );
    const a = await agent(clickupEnv(fakes), dir);
    const tasks = ['86dup0001', '86dup0002', '86dup0003'];
    for (const task of tasks) fakes.clickup.addTask(campaignTask(task));
    const bodies = tasks.flatMap((task, i) => [
      taskCreatedBody(task, `28007631367171408${i}0`),
      taskCreatedBody(task, `99900000000000000${i}1`, 'second-webhook-registration'),
    ]);
    const deliver = async (body: unknown) => {
      const signed = signedDelivery(body, CLICKUP_SECRET);
      const res = await a.client.send({
        method: 'POST',
        path: '/webhooks/clickup',
        headers: signed.headers,
        body: signed.body,
      });
      return { status: res.status, body: JSON.parse(res.body.toString('utf8')) as { status: string; taskId: string } };
    };
    const outside = () => ({ reads: fakes.clickup.requests().length });
    const round = async () => {
      const results = await deliverAll(
        rng,
        repeated(rng, bodies).map((x) => x.item),
        deliver,
      );
      expect([...new Set(results.map((r) => r.status))]).to.deep.equal([200]);
      return results;
    };

    const first = await round();
    const accepted = first.filter((r) => r.body.status === 'accepted').map((r) => r.body.taskId);
    expect(accepted.sort(), 'exactly one accepted delivery per task').to.deep.equal(tasks);
    expect(first.filter((r) => r.body.status !== 'duplicate').length).to.equal(3);
    await until('6 outreach emails', async () => {
      const m = (await a.client.json('GET', '/sandbox/mail')).body as unknown[];
      return m.length === 6;
    });
    await quiesce(a.agentDb, () => ({
      agent: dbDigest(a.agentDb),
      sandbox: dbDigest(a.sandboxDb),
      outside: outside(),
    }));

    const second = await round();
    expect(
      second.every((r) => r.body.status === 'duplicate'),
      'a processed delivery stays a duplicate',
    ).to.equal(true);
    await a.t.restart();
    a.client.close();
    a.client = httpClient(a.t.url, 32, false);
    const third = await round();
    expect(
      third.every((r) => r.body.status === 'duplicate'),
      'also after a restart',
    ).to.equal(true);
    await sleep(300);
    await quiesce(a.agentDb, () => ({
      agent: dbDigest(a.agentDb),
      sandbox: dbDigest(a.sandboxDb),
      outside: outside(),
    }));

    for (const task of tasks) expect(fakes.clickup.count(task), `reads of task ${task}`).to.equal(1);
    const campaigns = (await a.client.json('GET', '/api/v1/campaigns')).body as { id: string; negotiations: number }[];
    expect(campaigns.map((c) => [c.id, c.negotiations]).sort()).to.deep.equal(tasks.map((t) => [`clickup-${t}`, 2]));
    const mails = (await a.client.json('GET', '/sandbox/mail')).body as { to: string }[];
    expect(mails.map((m) => m.to).sort()).to.deep.equal([
      ...Array(3).fill('leo@gmail.com'),
      ...Array(3).fill('maya@gmail.com'),
    ]);
    const deliveries = dbRows(a.agentDb, 'SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status');
    expect(deliveries).to.deep.equal([{ status: 'done', n: 3 }]);
    const notices = ((await a.client.json('GET', '/sandbox/slack')).body as { text: string }[]).filter((m) =>
      /negotiations? started/.test(m.text),
    );
    expect(notices, 'one campaign-start notice per task').to.have.length(3);
    console.log(
      `    clickup: ${first.length + second.length + third.length} deliveries of 3 tasks -> 3 accepted, 3 reads, ` +
        `3 campaigns, 6 negotiations, 6 emails (${seconds(started)} s)`,
    );
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

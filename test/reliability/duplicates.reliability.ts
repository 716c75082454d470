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
 * RELIABILITY_SEED changes the shuffles and repeat counts. Gmail and ClickUp are here, Slack and the sandbox in
 * duplicates-slack-sandbox.reliability.ts, the shared setup in duplicates-kit.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { removeDir, tempDir } from '../support/agent.ts';
import { campaignTask, signedDelivery, taskCreatedBody } from '../support/fake-clickup.ts';
import type { FakeMessage as GmailMessage } from '../support/fake-gmail-mailbox.ts';
import {
  AGENT_EMAIL,
  CLICKUP_SECRET,
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
  seconds,
  seededRng,
  sleep,
  startFakes,
  until,
} from './reliability-kit.ts';
import {
  JSON_TYPE,
  SEED,
  agent,
  agents,
  campaign,
  count,
  createCampaign,
  deliverAll,
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
});

/**
 * Campaigns from ClickUp end to end: signed webhook deliveries to a real agent, the task read from the local fake
 * ClickUp API, influencer rows from the sandbox CSV sheet (decisions D12, D13).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import { mail, slack, until } from '../support/e2e.ts';
import {
  campaignFormFields,
  campaignTask,
  type FakeClickUp,
  signedDelivery,
  startFakeClickUp,
  taskCreatedBody,
  withoutAnswer,
} from '../support/fake-clickup.ts';

const SECRET = 'clickup-webhook-secret';
let clickup: FakeClickUp;
let t: TestAgent | null = null;

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('ClickUp (e2e)', () => {
  beforeEach(async () => {
    clickup = await startFakeClickUp();
  });
  afterEach(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
    t = null;
    await clickup.close();
  });

  async function agent() {
    const dir = tempDir();
    mkdirSync(join(dir, 'sheets'));
    writeFileSync(
      join(dir, 'sheets', 'Glow Q2.csv'),
      'Name,Email,Platform,Average Views\nMaya Lopez,maya@gmail.com,instagram,"80,000"\nLeo Park,leo@gmail.com,instagram,"50,000"\n',
    );
    return startTestAgent(
      { CLICKUP_WEBHOOK_SECRET: SECRET, CLICKUP_API_TOKEN: clickup.token, CLICKUP_API_URL: clickup.apiUrl },
      dir,
    );
  }

  async function deliver(agentUrl: string, body: unknown, secret = SECRET) {
    const signed = signedDelivery(body, secret);
    const res = await fetch(`${agentUrl}/webhooks/clickup`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    return { status: res.status, body: (await res.json()) as { status?: string } };
  }

  describe('ClickUp webhook', () => {
    it('a task delivered 3 times starts each influencer once', async () => {
      t = await agent();
      clickup.addTask(campaignTask('86abc123'));
      const body = taskCreatedBody('86abc123');
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await deliver(t.url, body)).body.status);
      expect(statuses).to.deep.equal(['accepted', 'duplicate', 'duplicate']);
      const sent = await until(async () => {
        const m = await mail(t as TestAgent);
        return m.length >= 2 ? m : undefined;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect((await mail(t)).map((m) => m.to).sort()).to.deep.equal(['leo@gmail.com', 'maya@gmail.com']);
      expect(sent[0].subject).to.equal('Collaboration Opportunity - Glow Skincare');
      expect(clickup.count('86abc123')).to.equal(1);
      // the same task from a second webhook registration is the same delivery
      expect((await deliver(t.url, taskCreatedBody('86abc123', '999', 'other-webhook'))).body.status).to.equal(
        'duplicate',
      );
    });

    it('an unsigned or wrongly signed delivery is refused (401) and stores nothing', async () => {
      t = await agent();
      clickup.addTask(campaignTask('86abc124'));
      const body = taskCreatedBody('86abc124');
      const unsigned = await fetch(`${t.url}/webhooks/clickup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(unsigned.status).to.equal(401);
      expect((await deliver(t.url, body, 'wrong-secret')).status).to.equal(401);
      await new Promise((r) => setTimeout(r, 200));
      expect(clickup.count()).to.equal(0);
      expect((await t.call('GET', '/api/v1/campaigns')).body).to.deep.equal([]); // nothing started
      // the genuine delivery afterwards is still new
      expect((await deliver(t.url, body)).body.status).to.equal('accepted');
    });

    it('a task that cannot start (no CPM data) gets a Slack notice naming what is missing, and no email', async () => {
      t = await agent();
      let fields = campaignFormFields();
      for (const name of ['CPM Target', 'CPM Target - Numerical value ($20-$50)']) fields = withoutAnswer(fields, name);
      clickup.addTask(campaignTask('86abc125', fields));
      expect((await deliver(t.url, taskCreatedBody('86abc125'))).status).to.equal(200);
      const notice = await until(async () => (await slack(t as TestAgent)).find((m) => m.text.includes('86abc125')));
      expect(JSON.stringify(notice.blocks)).to.match(/CPM/);
      expect(await mail(t)).to.deep.equal([]);
    });

    it('a ClickUp outage leaves the delivery pending; it is processed after a restart', async () => {
      t = await agent();
      clickup.addTask(campaignTask('86abc126'));
      clickup.failNext(503, 3); // the first attempt and both of the client's retries
      expect((await deliver(t.url, taskCreatedBody('86abc126'))).body.status).to.equal('accepted');
      await until(async () => clickup.count('86abc126') >= 3);
      await new Promise((r) => setTimeout(r, 100));
      expect(await mail(t)).to.deep.equal([]);
      await t.restart();
      await until(async () => (await mail(t as TestAgent)).length === 2, 10_000);
    });
  });
});

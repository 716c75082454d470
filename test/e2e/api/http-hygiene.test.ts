/**
 * End-to-end tests of the public HTTP contract (helpers.ts): HTTP hygiene (errors, limits, headers, API_TOKEN).
 */
import { expect } from 'chai';
import { glowCampaign } from '../../support/agent.ts';
import {
  createCampaign,
  expectError,
  MAYA,
  mail,
  sleep,
  slack,
  started,
  TOKEN,
  waitForMailCount,
} from '../../support/e2e.ts';
import { useAgents, agent } from './helpers.ts';

// ---------------------------------------------------------------------------------------------------------------
// 11. HTTP hygiene
// ---------------------------------------------------------------------------------------------------------------

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('API (e2e): http-hygiene', () => {
  useAgents();
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
          await t.call('POST', '/api/v1/campaigns', glowCampaign(), {
            Authorization: 'Bearer wrong-token-wrong-token',
          }),
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
});

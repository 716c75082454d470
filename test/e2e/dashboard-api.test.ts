/**
 * The API behind the dashboard (decisions D15, D19): the campaign dry run (CSV in the sheet's layout, problems by
 * field and row, opening offers, nothing stored or sent), whole-campaign pause/resume/stop (audited with who
 * authenticated). The "Needs you" list, keyset pages, campaign stats, the mode and Slack links are in
 * dashboard-api-lists.test.ts.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { glowCampaign } from '../support/agent.ts';
import { expectError, mail, negotiation, slack, until, waitForState } from '../support/e2e.ts';
import {
  useDashboardAgents,
  ALICE,
  AS_ALICE,
  CSV,
  agent,
  as,
  campaignFields,
  influencers,
} from './dashboard-api-kit.ts';

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('dashboard API', () => {
  useDashboardAgents();
  describe('dashboard API: POST /api/v1/campaigns/preview (the dry run)', () => {
    it('reads the CSV in the sheet layout: each row new or skipped with its field, each opening offer; stores nothing', async () => {
      const t = await agent();
      const res = await t.call('POST', '/api/v1/campaigns/preview', { ...campaignFields(), csv: CSV });
      expect(res.status).to.equal(200);
      const p = res.body;
      expect(p.ok).to.equal(true);
      expect(p.errors).to.deep.equal([]);
      expect(p.warnings).to.include('Columns ignored: Notes');
      expect(p.campaign).to.include({ id: 'cmp-1', exists: false, floorCpm: '25.00', ceilingCpm: '30.00' });
      const row = (n: number) => p.rows.find((r: { row: number }) => r.row === n);
      expect(row(2)).to.include({ status: 'new', openingOffer: '2000.00', openingCpm: '25.00', averageViews: 80000 });
      expect(row(3)).to.include({ status: 'skipped', field: 'email', reason: 'invalid email: not-an-email' });
      expect(row(4)).to.include({ status: 'new', platform: 'instagram', averageViews: 50000, openingOffer: '1250.00' });
      expect(row(5)).to.include({ status: 'skipped', field: 'email', reason: 'duplicate row for maya@gmail.com' });
      expect(row(6)).to.include({ status: 'skipped', field: 'name', reason: 'no name' });
      expect(p.summary).to.deep.equal({ rows: 5, new: 2, existing: 0, skipped: 3, openingTotal: '3250.00' });
      expect(p.influencers).to.have.length(5);
      expect(p.influencers[0]).to.deep.include({ name: 'Maya Lopez', averageViews: '80,000', engagementRate: '4.5%' });

      // Nothing was stored, sent or told.
      expect((await t.call('GET', '/api/v1/campaigns')).body).to.deep.equal([]);
      expect(await mail(t)).to.deep.equal([]);
      expect(await slack(t)).to.deep.equal([]);

      // Posting what the preview read starts the good rows only; the bad ones are skipped, nobody emailed for them.
      const created = await t.call('POST', '/api/v1/campaigns', { ...campaignFields(), influencers: p.influencers });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect(
        created.body.negotiations.map((n: { influencer: { email: string } }) => n.influencer.email),
      ).to.have.members(['maya@gmail.com', 'leo@gmail.com']);
      expect(created.body.skipped.map((s: { reason: string }) => s.reason)).to.have.members([
        'invalid email: not-an-email',
        'duplicate row for maya@gmail.com',
        'no name',
      ]);
      await until(async () => (await mail(t)).length === 2);
      expect((await mail(t)).map((m) => m.to)).to.have.members(['maya@gmail.com', 'leo@gmail.com']);

      // A second preview of the same campaign knows who negotiates already.
      const again = (await t.call('POST', '/api/v1/campaigns/preview', { ...campaignFields(), csv: CSV })).body;
      expect(again.campaign.exists).to.equal(true);
      expect(again.rows.filter((r: { status: string }) => r.status === 'existing')).to.have.length(2);
      expect(again.ok).to.equal(false);
      expect(again.warnings).to.include(
        'Everyone in the list is negotiating in this campaign already: nobody new to email',
      );
    });

    it('names every bad field (campaign fields, missing columns, a conflicting id) and still checks the rows', async () => {
      const t = await agent();
      const bad = await t.call('POST', '/api/v1/campaigns/preview', {
        ...campaignFields({ budget: 'lots', cpmTarget: '0', platform: 'myspace' }),
        csv: 'Full Name,Mail\nMaya,maya@gmail.com\n',
      });
      expect(bad.status).to.equal(200);
      expect(bad.body.ok).to.equal(false);
      const fields = bad.body.errors.map((e: { field: string }) => e.field);
      expect(fields).to.include.members(['budget', 'cpmTarget', 'platform', 'csv']);
      expect(bad.body.errors.find((e: { field: string }) => e.field === 'csv').message).to.match(
        /Missing columns "Name", "Email", "Average Views"/,
      );
      expect(bad.body.rows[0]).to.include({ status: 'skipped', field: 'name' });

      const minMax = await t.call('POST', '/api/v1/campaigns/preview', {
        ...campaignFields({ minCostPerInfluencer: '3000', maxCostWithoutApproval: '2000' }),
        csv: CSV,
      });
      expect(minMax.body.errors).to.deep.equal([
        { field: 'minCostPerInfluencer', message: 'minCostPerInfluencer must not exceed maxCostWithoutApproval' },
      ]);

      expect((await t.call('POST', '/api/v1/campaigns', glowCampaign())).status).to.equal(201);
      const conflict = await t.call('POST', '/api/v1/campaigns/preview', {
        ...campaignFields({ cpmTarget: '30' }),
        csv: CSV,
      });
      expect(conflict.body.errors).to.deep.include({
        field: 'id',
        message: 'Campaign cmp-1 already exists with different terms',
      });

      const notCsv = await t.call('POST', '/api/v1/campaigns/preview', { ...campaignFields(), csv: 'a,"b\n' });
      expect(notCsv.body.errors[0].field).to.equal('csv');
      expect(notCsv.body.errors[0].message).to.match(/^Not a readable CSV/);
      expectError(await t.call('POST', '/api/v1/campaigns/preview', { ...campaignFields(), csv: 42 }), 400);
    });
  });

  describe('dashboard API: a whole campaign paused, resumed, stopped', () => {
    it('every open negotiation follows; each control is audited with who authenticated; stop is final', async () => {
      const t = await agent({ API_TOKENS: `alice:${ALICE}` });
      const created = await t.call(
        'POST',
        '/api/v1/campaigns',
        glowCampaign({ influencers: influencers(3) }),
        AS_ALICE,
      );
      expect(created.status).to.equal(201);
      const ids: string[] = created.body.negotiations.map((n: { id: string }) => n.id);
      const alice = as(t, AS_ALICE);
      for (const id of ids) await waitForState(alice, id, 'awaiting_reply');
      const call = (method: string, path: string, body?: unknown) => alice.call(method, path, body);
      // One negotiation is finished already: the campaign controls leave it alone.
      expect((await call('POST', `/api/v1/negotiations/${ids[2]}/stop`)).status).to.equal(200);

      const paused = await call('POST', '/api/v1/campaigns/cmp-1/pause', { by: 'mallory' });
      expect(paused.status, JSON.stringify(paused.body)).to.equal(200);
      expect(paused.body).to.deep.include({ action: 'pause', previousStatus: 'active', status: 'paused', changed: 2 });
      for (const id of ids.slice(0, 2)) expect((await negotiation(alice, id)).state).to.equal('paused');
      expect((await call('POST', '/api/v1/campaigns/cmp-1/pause')).body).to.deep.include({
        status: 'paused',
        changed: 0,
      });

      // New rows of a paused campaign wait: nobody new is emailed.
      const more = await call('POST', '/api/v1/campaigns', glowCampaign({ influencers: influencers(4) }));
      expect(more.status).to.equal(200);
      expect(more.body.skipped).to.deep.include({ name: 'Creator 3', reason: 'the campaign is paused' });
      expect((await call('GET', '/sandbox/mail?to=creator3%40gmail.com')).body).to.deep.equal([]);

      const resumed = await call('POST', '/api/v1/campaigns/cmp-1/resume');
      expect(resumed.body).to.deep.include({ previousStatus: 'paused', status: 'active', changed: 2 });
      for (const id of ids.slice(0, 2))
        expect((await call('GET', `/api/v1/negotiations/${id}`)).body.state).to.equal('awaiting_reply');
      expectError(await call('POST', '/api/v1/campaigns/cmp-1/resume'), 409, 'invalid_state');

      const stopped = await call('POST', '/api/v1/campaigns/cmp-1/stop');
      expect(stopped.body).to.deep.include({ status: 'stopped', changed: 2 });
      expectError(await call('POST', '/api/v1/campaigns/cmp-1/resume'), 409, 'campaign_stopped');
      expectError(await call('POST', '/api/v1/campaigns/cmp-1/pause'), 409, 'campaign_stopped');
      expect((await call('POST', '/api/v1/campaigns/cmp-1/stop')).body).to.deep.include({ changed: 0 });
      expectError(await call('POST', '/api/v1/campaigns/nope/stop'), 404, 'not_found');
      expect((await call('GET', '/api/v1/campaigns')).body[0].status).to.equal('stopped');

      // The audit trail: who, what, how many, in order (the body's `by` is not trusted).
      const db = new Database(join(t.dataDir, 'agent.db'), { readonly: true });
      const entries = db
        .prepare("SELECT data FROM timeline WHERE type = 'campaign_control' AND campaign_id = 'cmp-1' ORDER BY id")
        .all()
        .map((r) => JSON.parse((r as { data: string }).data));
      db.close();
      expect(entries.map((e) => [e.action, e.by, e.status])).to.deep.equal([
        ['pause', 'api:alice', 'paused'],
        ['pause', 'api:alice', 'paused'],
        ['resume', 'api:alice', 'active'],
        ['stop', 'api:alice', 'stopped'],
        ['stop', 'api:alice', 'stopped'],
      ]);
      const controls = (await call('GET', `/api/v1/negotiations/${ids[0]}`)).body.timeline.filter(
        (e: { type: string }) => e.type === 'control',
      );
      expect(controls.map((e: { action: string; by: string }) => `${e.action}:${e.by}`)).to.deep.equal([
        'pause:api:alice',
        'resume:api:alice',
        'stop:api:alice',
      ]);
    });
  });
});

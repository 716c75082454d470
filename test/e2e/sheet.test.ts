/** Campaigns without `influencers` read the sandbox CSV sheet (decisions D12). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';

const HEADER = 'Name,Email,Platform,Handle,Average Views,Engagement Rate\n';

describe('e2e: influencer rows from the CSV sheet', () => {
  let t: TestAgent;
  afterEach(async () => {
    await t.stop();
    removeDir(t.dataDir);
  });

  function sheet(tab: string, rows: string) {
    const dir = join(t.dataDir, 'sheets');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${tab}.csv`), HEADER + rows);
  }

  it('reads the campaign tab case-insensitively, tolerates "50,000" and "2.5%", and skips bad rows with a reason', async () => {
    t = await startTestAgent();
    sheet(
      'Glow Q1',
      'Maya Lopez,maya@gmail.com,Instagram,@maya,"80,000",4.5%\nNo Email,,instagram,@x,"10,000",\nZero,zero@gmail.com,instagram,@z,0,\n',
    );
    sheet('Sheet1', 'Someone Else,else@gmail.com,instagram,@e,"50,000",\n');
    const res = await t.call(
      'POST',
      '/api/v1/campaigns',
      glowCampaign({ influencers: undefined, sheetTab: ' glow q1 ' }),
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.negotiations.map((n: { influencer: { email: string } }) => n.influencer.email)).to.deep.equal([
      'maya@gmail.com',
    ]);
    expect(res.body.negotiations[0].lastOfferedRate).to.equal('2000.00');
    expect(res.body.skipped).to.deep.equal([
      { name: 'No Email', reason: 'no email address' },
      { name: 'Zero', reason: 'no usable average views ("0")' },
    ]);
    const notice = (await t.call('GET', '/sandbox/slack')).body.find((m: { kind: string }) => m.kind === 'notice');
    expect(notice.text).to.contain('1 negotiation(s) started from the sheet tab "Glow Q1"');
  });

  it('falls back to the master tab, and refuses with a clear 422 when there is no sheet at all', async () => {
    t = await startTestAgent();
    const missing = await t.call(
      'POST',
      '/api/v1/campaigns',
      glowCampaign({ influencers: undefined, sheetTab: 'Nope' }),
    );
    expect(missing.status).to.equal(422);
    expect(missing.body.error.code).to.equal('sheet_unavailable');
    expect(missing.body.error.message).to.contain('"Nope"');
    expect((await t.call('GET', '/api/v1/campaigns')).body).to.deep.equal([]);
    sheet('Sheet1', 'Someone Else,else@gmail.com,instagram,@e,"50,000",\n');
    const res = await t.call('POST', '/api/v1/campaigns', glowCampaign({ influencers: undefined, sheetTab: 'Nope' }));
    expect(res.status).to.equal(201);
    expect(res.body.negotiations[0].influencer.email).to.equal('else@gmail.com');
  });
});

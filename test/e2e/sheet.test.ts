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
    expect(notice.text).to.contain('1 negotiation started from the sheet tab "Glow Q1"');
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

describe('e2e: the sheet monitor (decisions D12)', () => {
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
  const notices = async () =>
    ((await t.call('GET', '/sandbox/slack')).body as { text: string; blocks: unknown[] }[]).filter((m) =>
      m.text.startsWith('Sheet rows changed'),
    );
  const emails = async () => ((await t.call('GET', '/sandbox/mail')).body as { to: string }[]).map((m) => m.to).sort();
  const polls = (n: number) => new Promise((r) => setTimeout(r, n * 1100));

  it('no alert on the first poll; one for a changed row; a new row starts; a row that failed is retried', async () => {
    t = await startTestAgent({ SHEET_POLL_SECONDS: '1' });
    sheet(
      'Glow Q1',
      'Maya Lopez,maya@gmail.com,instagram,@maya,"80,000",4.5%\nLeo Park,leo@gmail.com,instagram,@leo,0,\n',
    );
    const res = await t.call(
      'POST',
      '/api/v1/campaigns',
      glowCampaign({ influencers: undefined, sheetTab: 'Glow Q1' }),
    );
    expect(res.status).to.equal(201);
    await polls(2);
    expect(await notices()).to.deep.equal([]);
    expect(await emails()).to.deep.equal(['maya@gmail.com']);

    // Maya's views change, Leo's outreach (0 views) is fixed, Ana is new
    sheet(
      'Glow Q1',
      'Maya Lopez,maya@gmail.com,instagram,@maya,"95,000",4.5%\nLeo Park,leo@gmail.com,instagram,@leo,"50,000",\nAna Ruiz,ana@gmail.com,instagram,@ana,"60,000",\n',
    );
    await polls(3);
    const changed = await notices();
    expect(changed).to.have.length(1);
    expect(JSON.stringify(changed[0].blocks)).to.include('maya@gmail.com').and.include('95,000');
    expect(await emails()).to.deep.equal(['ana@gmail.com', 'leo@gmail.com', 'maya@gmail.com']);
    await polls(1);
    expect(await notices()).to.have.length(1); // nothing new: no second alert
  });
});

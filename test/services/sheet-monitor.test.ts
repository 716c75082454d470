/**
 * The sheet monitor (domain.md §6.3 with the decisions D12 fixes: P12 no false alarm on the first poll, P13
 * failed outreach retried, rows matched by email then name). startRows is played by a stand-in with the
 * server's guarantee: one negotiation per (campaign, email), a row already negotiating is reported started.
 */
import { expect } from 'chai';
import { ben, charlie, maya, setup } from './sheet-monitor-fixtures.ts';

describe('sheet monitor', () => {
  it('first poll after ingestion: no "modified" alert and nobody emailed twice (P12)', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya(), ben()]);
    await t.ingest();
    expect(t.server.outreach).to.deep.equal(['glow-q1:maya@gmail.com', 'glow-q1:ben@gmail.com']);

    const [poll] = await t.monitor.pollOnce();
    expect(t.server.alerts).to.deep.equal([]);
    expect(poll).to.deep.include({ campaignId: 'glow-q1', tab: 'Glow Q1', changes: [], error: null, failed: [] });
    expect(t.server.outreach).to.have.length(2); // startRows saw both rows again; both already negotiating
    const snapshot = t.snapshots.get('glow-q1');
    expect(snapshot?.tab).to.equal('Glow Q1');
    expect(snapshot?.rows.map((r) => [r.email, r.failed])).to.deep.equal([
      ['maya@gmail.com', null],
      ['ben@gmail.com', null],
    ]);
  });

  it('an unchanged second poll sends nothing, cosmetic edits included', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya(), ben()]);
    await t.monitor.pollOnce();
    const calls = t.server.calls.length;
    t.sheet.set('Glow Q1', [
      maya({
        name: ' maya  LOPEZ ',
        email: 'Maya@Gmail.com ',
        platform: 'Instagram',
        handle: 'Maya',
        averageViews: '50000',
        engagementRate: '2.50 %',
        minRate: '1000.00',
        maxRate: '1,500',
      }),
      ben({ averageViews: '80K' }),
      {}, // a blank row
    ]);
    const [poll] = await t.monitor.pollOnce();
    expect(poll).to.deep.include({ attempted: 0, changes: [], error: null });
    expect(t.server.calls).to.have.length(calls);
    expect(t.server.alerts).to.deep.equal([]);
  });

  it('a really changed row sends exactly one alert listing the changes, once', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya(), ben()]);
    await t.monitor.pollOnce();
    t.sheet.set('Glow Q1', [maya({ averageViews: '75,000', maxRate: '$1,800' }), ben({ platform: 'instagram' })]);
    await t.monitor.pollOnce();
    expect(t.server.alerts).to.deep.equal([
      {
        campaignId: 'glow-q1',
        changes: [
          {
            kind: 'modified',
            name: 'Maya Lopez',
            email: 'maya@gmail.com',
            fields: [
              { field: 'averageViews', before: '50,000', after: '75,000' },
              { field: 'maxRate', before: '$1,500', after: '$1,800' },
            ],
          },
          {
            kind: 'modified',
            name: 'Ben Ortiz',
            email: 'ben@gmail.com',
            fields: [{ field: 'platform', before: 'tiktok', after: 'instagram' }],
          },
        ],
      },
    ]);
    await t.monitor.pollOnce();
    expect(t.server.alerts).to.have.length(1);
    expect(t.server.outreach).to.have.length(2);
  });

  it('matches rows by email, then by name: a corrected email is a change of that row, not a new influencer', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya(), ben()]);
    await t.monitor.pollOnce();
    t.sheet.set('Glow Q1', [ben({ name: 'Benjamin Ortiz' }), maya({ email: 'maya.lopez@gmail.com' })]);
    const [poll] = await t.monitor.pollOnce();
    expect(poll.attempted).to.equal(0);
    expect(t.server.alerts[0].changes).to.deep.equal([
      {
        kind: 'modified',
        name: 'Benjamin Ortiz',
        email: 'ben@gmail.com',
        fields: [{ field: 'name', before: 'Ben Ortiz', after: 'Benjamin Ortiz' }],
      },
      {
        kind: 'modified',
        name: 'Maya Lopez',
        email: 'maya.lopez@gmail.com',
        fields: [{ field: 'email', before: 'maya@gmail.com', after: 'maya.lopez@gmail.com' }],
      },
    ]);
    expect(t.server.outreach).to.have.length(2);
  });

  it('a new row starts a negotiation (only that row), without any alert', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya(), ben()]);
    await t.monitor.pollOnce();
    t.sheet.set('Glow Q1', [maya(), ben(), charlie()]);
    const [poll] = await t.monitor.pollOnce();
    expect(t.server.calls.at(-1)).to.deep.equal({ campaignId: 'glow-q1', rows: [charlie()] });
    expect(poll).to.deep.include({ attempted: 1, started: ['charlie@gmail.com'], changes: [] });
    expect(t.server.outreach.at(-1)).to.equal('glow-q1:charlie@gmail.com');
    expect(t.server.alerts).to.deep.equal([]);
  });

  it('a row whose outreach failed is retried next poll, until it starts (P13)', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya()]);
    await t.monitor.pollOnce();
    t.server.failing.add('charlie@gmail.com');
    t.sheet.set('Glow Q1', [maya(), charlie(), { name: 'No Email Yet', platform: 'instagram', averageViews: '9000' }]);
    const [first] = await t.monitor.pollOnce();
    expect(first.failed).to.deep.equal([
      { email: 'charlie@gmail.com', name: 'Charlie Kim', reason: 'Gmail send failed: 503' },
      { email: null, name: 'No Email Yet', reason: 'no email address' },
    ]);
    expect(t.snapshots.get('glow-q1')?.rows.map((r) => r.failed)).to.deep.equal([
      null,
      'Gmail send failed: 503',
      'no email address',
    ]);

    // Same rows, nothing edited: both are tried again.
    const [second] = await t.monitor.pollOnce();
    expect(t.server.calls.at(-1)?.rows.map((r) => r.name)).to.deep.equal(['Charlie Kim', 'No Email Yet']);
    expect(second.failed).to.have.length(2);

    // Gmail is back and the team filled in the email: both start; an edit of a failed row is no "modification".
    t.server.failing.clear();
    t.sheet.set('Glow Q1', [
      maya(),
      charlie(),
      { name: 'No Email Yet', email: 'late@gmail.com', platform: 'instagram', averageViews: '9000' },
    ]);
    const [third] = await t.monitor.pollOnce();
    expect(third).to.deep.include({ started: ['charlie@gmail.com', 'late@gmail.com'], failed: [], changes: [] });
    expect(t.server.outreach).to.deep.equal([
      'glow-q1:maya@gmail.com',
      'glow-q1:charlie@gmail.com',
      'glow-q1:late@gmail.com',
    ]);
    const calls = t.server.calls.length;
    await t.monitor.pollOnce();
    expect(t.server.calls).to.have.length(calls);
    expect(t.server.alerts).to.deep.equal([]);
  });

  it('when startRows throws, the rows are failed and tried again next poll', async () => {
    const t = setup();
    t.sheet.set('Glow Q1', [maya()]);
    t.server.throwOnStart(new Error('database is locked'));
    const [poll] = await t.monitor.pollOnce();
    expect(poll.failed).to.deep.equal([
      { email: 'maya@gmail.com', name: 'Maya Lopez', reason: 'not started: database is locked' },
    ]);
    t.server.throwOnStart(null);
    await t.monitor.pollOnce();
    expect(t.server.outreach).to.deep.equal(['glow-q1:maya@gmail.com']);
  });
});

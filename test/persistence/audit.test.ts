/**
 * The audit trail query and table (decisions D14; slack-ops.md §3.4), over a real SQLite file with the real
 * migrations (audit-fixtures.ts). Slack /audit and the CLI: audit-slack-cli.test.ts.
 */
import path from 'node:path';
import { expect } from 'chai';
import { AUDIT_EVENT_TYPES, AuditUsageError, countAudit, parseAuditDate, queryAudit } from '../../persistence/audit.ts';
import { openDatabase } from '../../persistence/db.ts';
import { appendTimeline } from '../../persistence/timeline.ts';
import { formatAuditTable } from '../../services/audit-text.ts';
import { useAuditFixtures, MAYA, NOW, db, dir, everyMachineTypeListed, ids } from './audit-fixtures.ts';

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('audit trail', () => {
  useAuditFixtures();
  describe('queryAudit', () => {
    it('returns every entry newest first, ties broken by insertion order, in the wire form', () => {
      const rows = queryAudit(db);
      expect(ids(rows)).to.deep.equal([7, 6, 5, 4, 3, 2, 1]);
      expect(rows[2]).to.deep.equal({
        id: 5,
        at: '2026-02-01T00:00:00.000Z',
        type: 'escalation',
        negotiationId: MAYA.id,
        campaignId: 'camp_glow',
        influencerEmail: MAYA.email,
        influencerName: 'Maya Lopez',
        reason: 'Legal/contract language detected in email',
        trigger: 'legal',
        evidence: 'Our lawyer will review',
        ask: '2500.00',
        suggested: '2250.00',
        draft: null,
        slackTs: null,
      });
      expect(rows[6]).to.include({ type: 'campaign_start', influencerName: null, negotiationId: null });
      expect(ids(queryAudit(db, { order: 'asc', limit: 3 }))).to.deep.equal([1, 2, 3]);
    });

    it('leaves out email bodies on request', () => {
      const [sent] = queryAudit(db, { event: ['email_sent'], limit: 1 }, { withBodies: false });
      expect(sent).to.not.have.property('text');
      expect(sent).to.include({ rate: '1500.50', kind: 'outreach' });
      expect(queryAudit(db, { event: ['email_sent'], limit: 1 })[0]).to.have.property('text', 'Hello Jane');
    });

    it('filters by influencer email in any case, or by name exactly but ignoring case and spaces', () => {
      expect(ids(queryAudit(db, { influencer: 'MAYA@Example.com' }))).to.deep.equal([7, 5, 4, 3, 2]);
      expect(ids(queryAudit(db, { influencer: '  jane   DOE ' }))).to.deep.equal([6]);
      expect(queryAudit(db, { influencer: 'Jane' })).to.deep.equal([]);
      expect(queryAudit(db, { influencer: 'nobody@example.com' })).to.deep.equal([]);
    });

    it('filters by campaign and by several event types', () => {
      expect(ids(queryAudit(db, { campaign: 'camp_other' }))).to.deep.equal([7]);
      expect(ids(queryAudit(db, { event: ['email_sent', 'escalation'] }))).to.deep.equal([6, 5, 2]);
      expect(
        ids(queryAudit(db, { influencer: 'maya lopez', campaign: 'camp_glow', event: ['email_sent'] })),
      ).to.deep.equal([2]);
    });

    it('a bare to date includes that whole day; a bare from date starts at its midnight (UTC)', () => {
      expect(ids(queryAudit(db, { from: '2026-01-05', to: '2026-01-31' }))).to.deep.equal([3, 2, 1]);
      expect(ids(queryAudit(db, { from: '2026-02-01', to: '2026-02-01' }))).to.deep.equal([5, 4]);
      expect(ids(queryAudit(db, { from: '2026-02-03T11:00:00+01:00' }))).to.deep.equal([7, 6]);
      expect(ids(queryAudit(db, { to: '2026-02-01T00:59:59.999+01:00' }))).to.deep.equal([3, 2, 1]);
      expect(ids(queryAudit(db, { to: '2026-02-01T01:00:00+01:00' }))).to.deep.equal([5, 4, 3, 2, 1]);
    });

    it('limits to 50 by default and counts everything', () => {
      const many = openDatabase(path.join(dir, 'many.db'));
      for (let i = 0; i < 60; i++) {
        appendTimeline(many, {
          negotiationId: null,
          campaignId: 'c',
          influencerEmail: null,
          at: new Date(NOW + i * 1000).toISOString(),
          entry: { type: 'notice', notice: `n${i}` },
        });
      }
      const rows = queryAudit(many);
      expect(rows).to.have.length(50);
      expect(rows[0]).to.include({ notice: 'n59' });
      expect(countAudit(many)).to.equal(60);
      expect(countAudit(many, { from: new Date(NOW + 50_000).toISOString() })).to.equal(10);
      many.close();
    });

    it('refuses bad dates, ranges, event types and limits with a clear message', () => {
      const bad = (f: Parameters<typeof queryAudit>[1], message: string | RegExp) =>
        expect(() => queryAudit(db, f)).to.throw(AuditUsageError, message);
      bad({ from: '2026-02-30' }, 'Invalid from date "2026-02-30": no such day');
      bad({ to: 'yesterday' }, /Invalid to date "yesterday": not an ISO date\. Use YYYY-MM-DD/);
      bad({ from: '2026-02-01T10:00' }, 'a date-time needs a zone (Z or +hh:mm)');
      bad({ from: '2026-02-01T25:00Z' }, 'no such time');
      bad({ from: '2026-02-02', to: '2026-02-01' }, 'The from date (2026-02-02) is after the to date (2026-02-01)');
      bad({ event: ['email_sent', 'emails'] }, /Unknown event type "emails"\. Known: email_sent, email_received/);
      bad({ limit: 0 }, 'Invalid limit 0');
      bad({ limit: 1.5 }, 'Invalid limit 1.5');
    });

    it('normalizes dates to the stored form', () => {
      expect(parseAuditDate('2026-01-31', 'from')).to.equal('2026-01-31T00:00:00.000Z');
      expect(parseAuditDate('2026-01-31', 'to')).to.equal('2026-01-31T23:59:59.999Z');
      expect(parseAuditDate('2026-01-31t10:00:00z', 'from')).to.equal('2026-01-31T10:00:00.000Z');
      expect(parseAuditDate('2026-01-31T10:00-05:00', 'to')).to.equal('2026-01-31T15:00:00.000Z');
    });
  });

  describe('formatAuditTable', () => {
    it('prints a fixed-width table with a header, a rule, cut values and one line per entry', () => {
      const table = formatAuditTable(queryAudit(db, { event: ['email_sent', 'escalation'] }));
      const lines = table.split('\n');
      expect(lines).to.have.length(5);
      expect(lines[0]).to.equal(
        'Time                      Event             Influencer                    Campaign          Amount      Detail',
      );
      expect(lines[1]).to.equal('-'.repeat(lines[0].length));
      expect(lines[2]).to.equal(
        '2026-02-03T10:00:00.000Z  email_sent        jd@x.io                       camp_glow         1500.50     outreach to jd@x.io: <!channel> `tick` line two of a subj...',
      );
      expect(lines[3]).to.equal(
        '2026-02-01T00:00:00.000Z  escalation        maya@example.com              camp_glow         2500.00     legal: Legal/contract language detected in email',
      );
      expect(lines[4]).to.include('outreach to maya@example.com: Glow x Maya');
    });

    it('says so when nothing matches', () => {
      expect(formatAuditTable([])).to.equal('No results found.');
    });

    it('describes every event type it knows in one line', () => {
      const table = formatAuditTable(queryAudit(db, { order: 'asc' }));
      expect(table).to.include('2 started, 0 existing (api)');
      expect(table).to.include('from maya@example.com: Re: Glow x Maya');
      expect(table).to.include('awaiting_reply -> counter_received (receive_reply)');
      expect(table).to.include('agreed (80000 views)');
      expect(everyMachineTypeListed).to.equal(true);
      expect(AUDIT_EVENT_TYPES).to.include.members(['state_transition', 'campaign_start']);
    });
  });
});

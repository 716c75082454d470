/**
 * The audit trail through Slack /audit and the CLI (decisions D14; slack-ops.md §3.4-§3.5), over the database of
 * audit-fixtures.ts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { openDatabase } from '../../persistence/db.ts';
import { appendTimeline } from '../../persistence/timeline.ts';
import { runAuditCli } from '../../scripts/audit.ts';
import { parseAuditArgs, slackAudit } from '../../server/slack/audit.ts';
import { useAuditFixtures, NOW, SCRIPT, db, dir, file } from './audit-fixtures.ts';

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('audit from Slack and the command line', () => {
  useAuditFixtures();
  describe('Slack /audit', () => {
    const parsed = (text: string) => {
      const r = parseAuditArgs(text, NOW);
      if (!r.ok) throw new Error(r.error);
      return r.value;
    };
    const error = (text: string) => {
      const r = parseAuditArgs(text, NOW);
      if (r.ok) throw new Error(`expected a usage error for ${text}`);
      expect(r.error).to.include('Usage: /audit');
      return r.error;
    };

    it('parses key:value pairs whose values may contain spaces (slack-ops.md §3.5)', () => {
      expect(parsed('influencer:Jane Doe last:7d')).to.deep.equal({
        filter: { limit: 50, influencer: 'Jane Doe', from: '2026-02-03T12:00:00.000Z' },
        title: 'Audit Trail: Jane Doe (last 7d)',
      });
      expect(parsed('campaign:camp_123')).to.deep.equal({
        filter: { limit: 50, campaign: 'camp_123' },
        title: 'Audit Trail: camp_123',
      });
      expect(parsed('event_type:escalation last:30d').filter).to.deep.equal({
        limit: 50,
        event: ['escalation'],
        from: '2026-01-11T12:00:00.000Z',
      });
      expect(parsed('')).to.deep.equal({ filter: { limit: 50 }, title: 'Audit Trail' });
      expect(parsed('influencer:Jane campaign:camp_1 last:24h').title).to.equal('Audit Trail: Jane camp_1 (last 24h)');
      expect(parsed('last:7d').title).to.equal('Audit Trail: (last 7d)');
    });

    it('takes the later of duplicate keys, drops empty values, unwraps Slack mailto links, accepts from/to and lists', () => {
      expect(parsed('campaign:a campaign:b').filter.campaign).to.equal('b');
      expect(parsed('campaign: influencer:x').filter).to.deep.equal({ limit: 50, influencer: 'x' });
      expect(parsed('influencer:<mailto:Jane@X.com|Jane@X.com>').filter.influencer).to.equal('Jane@X.com');
      expect(parsed('from:2026-01-01 to:2026-01-31 event:email_sent,email_received').filter).to.deep.equal({
        limit: 50,
        from: '2026-01-01',
        to: '2026-01-31',
        event: ['email_sent', 'email_received'],
      });
    });

    it('answers bad input with what is wrong and the usage', () => {
      expect(error('jane')).to.include('Unexpected "jane": give filters as key:value');
      expect(error('state:escalated')).to.include('Unknown filter "state:"');
      expect(error('influencer:jane foo:bar')).to.include('Unknown filter "foo:"');
      expect(error('last:7')).to.include("Unrecognized duration format: '7'");
      expect(error('last:7w')).to.include("Use 'd' for days or 'h' for hours.");
      expect(error('last:7d from:2026-01-01')).to.include('either last: or from:');
      expect(error('from:2026-13-01')).to.include('Invalid from date "2026-13-01"');
      expect(error('event_type:bogus')).to.include('Unknown event type "bogus"');
    });

    it('shows the real total, the 10 most recent entries (no bodies, escaped) and a pointer to the CLI', () => {
      const text = slackAudit(db, 'campaign:camp_glow', NOW);
      const lines = text.split('\n');
      expect(lines[0]).to.equal('*Audit Trail: camp_glow*');
      expect(lines[1]).to.equal('5 entries found.');
      expect(text).to.include('&lt;!channel&gt;');
      expect(text).to.not.include('<!channel>');
      expect(text).to.not.include('`tick`');
      expect(text).to.not.include('Hello Jane'); // email bodies are not shown
      expect(text.match(/`/g)).to.have.length(6); // the two fences of the table, no backtick from the email
      expect(text).to.not.include('Use the CLI');

      const many = openDatabase(path.join(dir, 'slack.db'));
      for (let i = 0; i < 12; i++) {
        appendTimeline(many, {
          negotiationId: null,
          campaignId: 'c',
          influencerEmail: null,
          at: new Date(NOW - i * 1000).toISOString(),
          entry: { type: 'notice', notice: 'stale' },
        });
      }
      const more = slackAudit(many, '', NOW).split('\n');
      expect(more[1]).to.equal('12 entries found (showing most recent 10).');
      expect(more.at(-1)).to.equal('Showing 10 of 12 results. Use the CLI (npm run audit) for full results.');
      expect(more.filter((l) => l.startsWith('2026-'))).to.have.length(10);
      many.close();
    });

    it('says when nothing matches, and when no influencer has that name', () => {
      expect(slackAudit(db, 'campaign:nope', NOW)).to.equal('*Audit Trail: nope*\nNo entries found.');
      expect(slackAudit(db, 'influencer:Jan', NOW)).to.include('No influencer named "Jan"');
      expect(slackAudit(db, 'last:abc', NOW)).to.include('Usage: /audit');
      expect(slackAudit(db, 'influencer:jane doe', NOW)).to.include('1 entry found.');
    });
  });

  describe('audit CLI', () => {
    const run = (...argv: string[]) => runAuditCli(argv, {}, { cwd: dir, now: NOW });

    it('prints a table of the filtered entries from the database given with --db', () => {
      const r = run(
        '--db',
        file,
        '--influencer',
        'maya@example.com',
        '--campaign',
        'camp_glow',
        '--event',
        'email_sent,escalation',
      );
      expect(r.code).to.equal(0);
      expect(r.stderr).to.equal('');
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).to.have.length(4);
      expect(lines[2]).to.include('escalation');
      expect(lines[3]).to.include('email_sent');
    });

    it('prints JSON with --json, and reads $DATA_DIR/agent.db by default', () => {
      const r = runAuditCli(
        ['--json', '--from', '2026-02-01', '--to', '2026-02-01'],
        { DATA_DIR: 'data' },
        { cwd: dir },
      );
      expect(r.code).to.equal(0);
      const rows = JSON.parse(r.stdout);
      expect(rows.map((e: { id: number }) => e.id)).to.deep.equal([5, 4]);
      expect(rows[0]).to.include({ type: 'escalation', ask: '2500.00' });
    });

    it('accepts --last and repeated --event, says when the limit cut the list', () => {
      const r = run('--db', file, '--last', '40d', '--event', 'email_sent', '--event', 'agreement', '--limit', '2');
      expect(r.code).to.equal(0);
      expect(r.stdout.trimEnd().split('\n')).to.have.length(4);
      expect(r.stderr).to.equal('audit: showing 2 of 3 entries (use --limit)\n');
    });

    it('notes an influencer name that matches nobody', () => {
      const r = run('--db', file, '--influencer', 'Maya');
      expect(r).to.deep.include({ code: 0, stdout: 'No results found.\n' });
      expect(r.stderr).to.include('no influencer named "Maya"');
    });

    it('exits 2 with the usage on wrong arguments', () => {
      for (const argv of [
        ['--bogus'],
        ['positional'],
        ['--from', '2026-02-30'],
        ['--to', 'soon'],
        ['--event', 'emails'],
        ['--last', '7d', '--from', '2026-01-01'],
        ['--limit', 'ten'],
        ['--limit', '0'],
        ['--influencer', ''],
        ['--db'],
      ]) {
        const r = run(...argv);
        expect(r.code, argv.join(' ')).to.equal(2);
        expect(r.stdout).to.equal('');
        expect(r.stderr).to.match(/^audit: .+\n\nUsage: npm run audit/);
      }
      expect(run('--help')).to.deep.include({ code: 0, stderr: '' });
    });

    it('exits 1 when the database is missing or is not an agent database, and never creates one', () => {
      const missing = path.join(dir, 'typo', 'agent.db');
      const r = run('--db', missing);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include(`no database at ${missing}`);
      expect(fs.existsSync(path.dirname(missing))).to.equal(false);
      const other = path.join(dir, 'other.db');
      fs.writeFileSync(other, '');
      expect(run('--db', other)).to.deep.include({ code: 1 });
      expect(run('--db', other).stderr).to.include('is not an agent database');
    });

    it('opens the database read-only (a closed WAL database too) and leaves it unchanged', () => {
      const closed = path.join(dir, 'closed.db');
      const c = openDatabase(closed);
      appendTimeline(c, {
        negotiationId: null,
        campaignId: 'c',
        influencerEmail: null,
        at: '2026-01-01T00:00:00.000Z',
        entry: { type: 'notice', notice: 'stale' },
      });
      c.close();
      const before = fs.readFileSync(closed);
      const r = run('--db', closed, '--json');
      expect(r.code, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout)).to.have.length(1);
      expect(fs.readFileSync(closed).equals(before)).to.equal(true);
    });

    it('runs as a script: node scripts/audit.ts', async () => {
      const exec = promisify(execFile);
      const ok = await exec(process.execPath, [SCRIPT, '--db', file, '--campaign', 'camp_other', '--json']);
      expect(JSON.parse(ok.stdout)).to.have.length(1);
      const failed = await exec(process.execPath, [SCRIPT, '--db', file, '--event', 'nope']).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(failed?.code).to.equal(2);
      expect(failed?.stderr).to.include('Unknown event type "nope"');
    });
  });
});

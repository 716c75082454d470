/**
 * The audit trail query, table, Slack /audit and CLI (decisions D14; slack-ops.md §3.4-§3.5), over a real SQLite
 * file with the real migrations.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { TimelineEntry } from '../../machines/negotiation.ts';
import {
  AUDIT_EVENT_TYPES,
  AuditUsageError,
  countAudit,
  formatAuditTable,
  parseAuditArgs,
  parseAuditDate,
  queryAudit,
  slackAudit,
} from '../../persistence/audit.ts';
import { type Db, openDatabase } from '../../persistence/db.ts';
import { appendTimeline } from '../../persistence/timeline.ts';
import { runAuditCli } from '../../scripts/audit.ts';

// Compile-time: every type the machine writes is a known audit event type (else the CLI would refuse it).
type Unlisted = Exclude<TimelineEntry['type'], (typeof AUDIT_EVENT_TYPES)[number]>;
const everyMachineTypeListed: [Unlisted] extends [never] ? true : Unlisted = true;

const SCRIPT = path.join(import.meta.dirname, '..', '..', 'scripts', 'audit.ts');
const NOW = Date.parse('2026-02-10T12:00:00.000Z');

let dir: string;
let file: string;
let db: Db;

function negotiation(id: string, campaign: string, email: string, name: string): void {
  db.prepare(
    `INSERT INTO negotiations (id, campaign_id, influencer_email, influencer_name, platform, average_views, state,
      machine_version, snapshot, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'instagram', 80000, 'awaiting_reply', 1, '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
  ).run(id, campaign, email, name);
}

function entry(
  at: string,
  n: { id: string; campaign: string; email: string } | null,
  e: { type: string; [k: string]: unknown },
): void {
  appendTimeline(db, {
    negotiationId: n?.id ?? null,
    campaignId: n?.campaign ?? null,
    influencerEmail: n?.email ?? null,
    at,
    entry: e,
  });
}

const MAYA = { id: 'neg-maya', campaign: 'camp_glow', email: 'maya@example.com' };
const JANE = { id: 'neg-jane', campaign: 'camp_glow', email: 'jd@x.io' };
const OTHER = { id: 'neg-other', campaign: 'camp_other', email: 'maya@example.com' };

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-'));
  file = path.join(dir, 'data', 'agent.db');
  db = openDatabase(file);
  const insertCampaign = db.prepare(
    "INSERT INTO campaigns (id, client, definition, created_at) VALUES (?, ?, '{}', ?)",
  );
  insertCampaign.run('camp_glow', 'Glow Skincare', '2026-01-01T00:00:00.000Z');
  insertCampaign.run('camp_other', 'Other', '2026-01-01T00:00:00.000Z');
  negotiation(MAYA.id, MAYA.campaign, MAYA.email, 'Maya Lopez');
  negotiation(JANE.id, JANE.campaign, JANE.email, 'Jane Doe');
  negotiation(OTHER.id, OTHER.campaign, OTHER.email, 'Maya Lopez');

  entry('2026-01-05T09:00:00.000Z', null, {
    type: 'campaign_start',
    source: 'api',
    started: 2,
    existing: 0,
    skipped: [],
  });
  entry('2026-01-05T09:00:01.000Z', MAYA, {
    type: 'email_sent',
    kind: 'outreach',
    to: MAYA.email,
    subject: 'Glow x Maya',
    text: 'Hi Maya, we would love to work with you.',
    rateCents: 200_000,
  });
  entry('2026-01-31T23:59:59.500Z', MAYA, {
    type: 'email_received',
    from: MAYA.email,
    subject: 'Re: Glow x Maya',
    text: 'I charge $2,500.',
  });
  entry('2026-02-01T00:00:00.000Z', MAYA, {
    type: 'state_transition',
    from: 'awaiting_reply',
    to: 'counter_received',
    event: 'receive_reply',
  });
  // Same instant as the row before: insertion order breaks the tie.
  entry('2026-02-01T00:00:00.000Z', MAYA, {
    type: 'escalation',
    reason: 'Legal/contract language detected in email',
    trigger: 'legal',
    evidence: 'Our lawyer will review',
    askCents: 250_000,
    suggestedCents: 225_000,
    draft: null,
    slackTs: null,
  });
  entry('2026-02-03T10:00:00.000Z', JANE, {
    type: 'email_sent',
    kind: 'outreach',
    to: JANE.email,
    subject: '<!channel> `tick`\nline two of a subject that goes on for a long while',
    text: 'Hello Jane',
    rateCents: 150_050,
  });
  entry('2026-02-04T10:00:00.000Z', OTHER, { type: 'agreement', rateCents: 300_000, views: 80000 });
});

after(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

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
    const r = runAuditCli(['--json', '--from', '2026-02-01', '--to', '2026-02-01'], { DATA_DIR: 'data' }, { cwd: dir });
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

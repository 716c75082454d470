/**
 * `npm run backup` and `npm run restore` as an operator runs them (the real scripts in child processes) against a
 * real agent: a backup taken while replies keep arriving holds everything committed before it started and is a
 * sound database; restored, an agent finds every negotiation, timeline row and journal entry of it; the restore
 * refuses a running agent's data, a damaged file and a database that is not the agent's.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import { createCampaign, mail, until } from '../support/e2e.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function cli(script: 'backup' | 'restore', args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', `${script}.ts`), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      out += c;
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

interface Contents {
  negotiations: Map<string, string>;
  timeline: Map<number, string>;
  journal: Set<string>;
}

/** Everything committed in a database, read through its own read-only connection. */
function contents(file: string): Contents {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const negotiations = db.prepare('SELECT id, state FROM negotiations').all() as { id: string; state: string }[];
    const timeline = db.prepare('SELECT id, negotiation_id AS n, type, data FROM timeline').all() as {
      id: number;
      n: string;
      type: string;
      data: string;
    }[];
    return {
      negotiations: new Map(negotiations.map((r) => [r.id, r.state])),
      timeline: new Map(timeline.map((r) => [r.id, `${r.n}|${r.type}|${r.data}`])),
      journal: new Set(db.prepare('SELECT key FROM effects').pluck().all() as string[]),
    };
  } finally {
    db.close();
  }
}

const influencers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `Creator ${i}`, email: `creator${i}@gmail.com`, averageViews: 80000 }));

describe('backup and restore (npm run backup / npm run restore)', function () {
  this.timeout(120_000);
  let t: TestAgent | null = null;
  let dataDir = '';
  let spare = '';

  beforeEach(() => {
    dataDir = tempDir();
    spare = tempDir('agent-backups-');
  });
  afterEach(async () => {
    await t?.stop();
    t = null;
    removeDir(dataDir);
    removeDir(spare);
  });

  it('backs up during traffic; the restored agent has every negotiation, timeline row and journal entry', async () => {
    t = await startTestAgent({}, dataDir);
    const agent = t;
    const created = await createCampaign(agent, {
      id: 'cmp-backup',
      client: 'Glow Skincare',
      platform: 'instagram',
      deliverables: '1 Instagram Reel',
      cpmTarget: '25',
      maxCostWithoutApproval: '2600',
      influencers: influencers(12),
    });
    const threads = await until(async () => {
      const sent = await mail(agent);
      return sent.length >= 12 ? sent.map((m) => m.threadId) : undefined;
    }, 15_000);

    // Replies keep arriving (counters, so emails, journal entries and transitions) for as long as the backup runs.
    let traffic = true;
    let posted = 0;
    const load = (async () => {
      for (let i = 0; traffic; i++) {
        const res = await agent.call('POST', '/sandbox/mail', {
          from: `creator${i % 12}@gmail.com`,
          threadId: threads[i % 12],
          text: `I'd do it for $${2100 + (i % 7) * 50}`,
          messageId: `<load-${i}@sandbox.test>`,
        });
        expect(res.status).to.equal(202);
        posted++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await until(async () => posted >= 10);

    const live = join(dataDir, 'agent.db');
    const before = contents(live); // committed before the backup starts
    const file = join(spare, 'agent-backup.db');
    const backup = await cli('backup', ['--db', live, '--to', file]);
    const postedDuringBackup = posted;
    await until(async () => posted >= postedDuringBackup + 5); // the agent kept taking replies
    traffic = false;
    await load;
    expect(backup.code, backup.out).to.equal(0);
    expect(backup.out).to.match(/backed up .* to .*agent-backup\.db/);
    expect(readdirSync(spare), 'no partial file left').to.deep.equal(['agent-backup.db']);

    const saved = contents(file);
    for (const id of before.negotiations.keys()) expect(saved.negotiations.has(id), id).to.equal(true);
    for (const [id, row] of before.timeline) expect(saved.timeline.get(id), `timeline ${id}`).to.equal(row);
    for (const key of before.journal) expect(saved.journal.has(key), key).to.equal(true);
    expect(saved.timeline.size).to.be.at.least(before.timeline.size);
    expect(existsSync(`${file}-wal`), 'the backup is one self-contained file').to.equal(false);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('PRAGMA integrity_check').pluck().get()).to.equal('ok');
    expect(
      db
        .prepare('SELECT COUNT(*) FROM timeline WHERE negotiation_id NOT IN (SELECT id FROM negotiations)')
        .pluck()
        .get(),
      'timeline rows without their negotiation',
    ).to.equal(0);
    db.close();

    // Restore over the agent's own data, once it is stopped; then a new agent reads it back through the API.
    await agent.stop();
    t = null;
    const restored = await cli('restore', ['--db', live, file]);
    expect(restored.code, restored.out).to.equal(0);
    expect(restored.out).to.match(/kept as .*agent\.db\.before-restore-/);
    t = await startTestAgent({}, dataDir);
    const list = await t.call('GET', '/api/v1/negotiations?limit=1000');
    expect(list.status).to.equal(200);
    expect(new Set(list.body.map((n: { id: string }) => n.id))).to.deep.equal(new Set(saved.negotiations.keys()));
    let timelineRows = 0;
    for (const n of created.negotiations) {
      const detail = await t.call('GET', `/api/v1/negotiations/${n.id}`);
      expect(detail.status).to.equal(200);
      const ids = detail.body.timeline.map((e: { id: number }) => e.id);
      const expected = [...saved.timeline].filter(([, row]) => row.startsWith(`${n.id}|`)).map(([id]) => id);
      expect(ids, `timeline of ${n.id}`).to.include.members(expected);
      timelineRows += expected.length;
    }
    expect(timelineRows, 'every timeline row of a negotiation').to.equal(
      [...saved.timeline.values()].filter((row) => !row.startsWith('null|')).length,
    );
    const after = contents(live);
    for (const key of saved.journal) expect(after.journal.has(key), `journal ${key}`).to.equal(true);
    for (const [id, row] of saved.timeline) expect(after.timeline.get(id), `timeline ${id}`).to.equal(row);
  });

  it('refuses to restore over the data of a running agent, and changes nothing', async () => {
    t = await startTestAgent({}, dataDir);
    await createCampaign(t, {
      id: 'cmp-running',
      client: 'Glow Skincare',
      platform: 'instagram',
      deliverables: '1 Instagram Reel',
      cpmTarget: '25',
      influencers: influencers(2),
    });
    const live = join(dataDir, 'agent.db');
    const file = join(spare, 'backup.db');
    expect((await cli('backup', ['--db', live, '--to', file])).code).to.equal(0);
    const again = await cli('backup', ['--db', live, '--to', file]);
    expect(again.code, 'an existing backup is never overwritten').to.equal(1);
    expect(again.out).to.include('already exists');

    const inode = statSync(live).ino;
    const refused = await cli('restore', ['--db', live, file]);
    expect(refused.code, refused.out).to.equal(3);
    expect(refused.out).to.include('in use by another process').and.include('Stop the agent first');
    expect(statSync(live).ino, 'the same database file').to.equal(inode);
    expect(readdirSync(dataDir).filter((f) => f.includes('restor'))).to.deep.equal([]);
    const list = await t.call('GET', '/api/v1/negotiations');
    expect(list.body).to.have.length(2); // the agent carries on
  });

  it('refuses a damaged backup, a database that is not the agent’s, and a file that is not SQLite', async () => {
    t = await startTestAgent({}, dataDir);
    await createCampaign(t, {
      id: 'cmp-damaged',
      client: 'Glow Skincare',
      platform: 'instagram',
      deliverables: '1 Instagram Reel',
      cpmTarget: '25',
      influencers: influencers(30),
    });
    const live = join(dataDir, 'agent.db');
    const good = join(spare, 'good.db');
    expect((await cli('backup', ['--db', live, '--to', good])).code).to.equal(0);
    await t.stop();
    t = null;

    const damaged = join(spare, 'damaged.db');
    const bytes = readFileSync(good);
    const pageSize = bytes.readUInt16BE(16); // SQLite header: the page size
    // Scribble over the data pages of the second half (a disk that lost writes); the schema stays readable.
    const pages = bytes.length / pageSize;
    for (let page = Math.ceil(pages / 2); page < pages; page++)
      bytes.fill(0x5a, page * pageSize + 8, page * pageSize + 200);
    writeFileSync(damaged, bytes);
    const other = join(spare, 'other.db');
    const foreign = new Database(other);
    foreign.exec('CREATE TABLE notes (text TEXT)');
    foreign.close();
    const text = join(spare, 'notes.txt');
    writeFileSync(text, 'not a database at all\n'.repeat(100));

    const target = join(spare, 'restored', 'agent.db');
    for (const [file, reason] of [
      [damaged, /damaged \(SQLite integrity check\)/],
      [other, /not an agent database \(no campaigns, negotiations, timeline, inbox, effects table\)/],
      [text, /not a readable SQLite database|cannot be opened/],
      [join(spare, 'missing.db'), /does not exist/],
    ] as const) {
      const res = await cli('restore', ['--db', target, file]);
      expect(res.code, `${file}: ${res.out}`).to.equal(1);
      expect(res.out, file).to.match(reason);
      expect(existsSync(target), 'nothing written').to.equal(false);
    }
    const ok = await cli('restore', ['--db', target, good]);
    expect(ok.code, ok.out).to.equal(0);
    expect(ok.out).to.include('there was no database there before');
  });
});

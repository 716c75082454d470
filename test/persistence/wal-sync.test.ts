/**
 * Commits fsynced off the event loop (persistence/wal-sync.ts), over a real SQLite file. What the disk is asked
 * to do, and by which thread, is read from strace: the claim is exactly "the committing thread does not wait for
 * the disk, and the WAL is synced on another thread before sync() resolves".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openDatabase } from '../../persistence/db.ts';
import { createWalSync } from '../../persistence/wal-sync.ts';

const hasStrace = spawnSync('strace', ['-V']).status === 0;

describe('WAL sync off the event loop', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-sync-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a quiet commit leaves the connection at FULL, also when it throws (and then nothing is kept)', () => {
    const db = openDatabase(join(dir, 'agent.db'));
    const wal = createWalSync(db, join(dir, 'agent.db'), 'FULL');
    const level = () => db.pragma('synchronous', { simple: true });
    wal.transaction(() => db.prepare("INSERT INTO settings (key, value) VALUES ('a', '1')").run());
    expect(level()).to.equal(2); // FULL
    expect(() =>
      wal.transaction(() => {
        db.prepare("INSERT INTO settings (key, value) VALUES ('b', '1')").run();
        throw new Error('refused');
      }),
    ).to.throw('refused');
    expect(level()).to.equal(2);
    expect(db.prepare("SELECT COUNT(*) FROM settings WHERE key IN ('a', 'b')").pluck().get()).to.equal(1);
    wal.close();
    db.close();
  });

  it('every sync() resolves, in the order asked, and sees its commits from another connection', async () => {
    const file = join(dir, 'agent.db');
    const db = openDatabase(file);
    const wal = createWalSync(db, file, 'FULL');
    const order: number[] = [];
    const all: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      wal.transaction(() => db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(`k${i}`, 'v'));
      all.push(wal.sync().then(() => void order.push(i)));
      if (i % 7 === 0) await new Promise((r) => setImmediate(r)); // some while an fsync is in flight
    }
    await Promise.all(all);
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    const reader = openDatabase(file);
    expect(reader.prepare("SELECT COUNT(*) FROM settings WHERE key LIKE 'k%'").pluck().get()).to.equal(50);
    reader.close();
    wal.close();
    db.close();
  });

  (hasStrace || process.env.REQUIRE_STRACE ? it : it.skip)(
    'the committing thread never waits for the disk; the WAL is synced on another thread before sync() resolves',
    () => {
      const file = join(dir, 'agent.db');
      const script = join(dir, 'run.ts');
      const marker = join(dir, 'phase');
      writeFileSync(
        script,
        `
        import { existsSync } from 'node:fs';
        import { openDatabase } from ${JSON.stringify(new URL('../../persistence/db.ts', import.meta.url).pathname)};
        import { createWalSync } from ${JSON.stringify(new URL('../../persistence/wal-sync.ts', import.meta.url).pathname)};
        const db = openDatabase(${JSON.stringify(file)});
        const wal = createWalSync(db, ${JSON.stringify(file)}, 'FULL');
        const put = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
        put.run('first', 'v'); // the WAL's first frames (and its header's sync) before the quiet phase
        existsSync(${JSON.stringify(`${marker}-quiet`)});
        for (let i = 0; i < 20; i++) {
          wal.transaction(() => put.run('q' + i, 'v'));
          await wal.sync();
        }
        existsSync(${JSON.stringify(`${marker}-full`)});
        put.run('f', 'v'); // an ordinary write: FULL, synced by the committing thread itself
        existsSync(${JSON.stringify(`${marker}-end`)});
        console.log(process.pid);
        `,
      );
      const log = join(dir, 'strace.log');
      const pid = execFileSync(
        'strace',
        [
          '-f',
          '-qq',
          '-y',
          '-o',
          log,
          '-e',
          'trace=fsync,fdatasync,access,faccessat,faccessat2,stat,newfstatat,statx',
          process.execPath,
          script,
        ],
        { encoding: 'utf8' },
      ).trim();
      const lines = readFileSync(log, 'utf8').split('\n');
      const at = (phase: string) => lines.findIndex((l) => l.includes(`${marker}-${phase}`));
      const syncs = (from: number, to: number) =>
        lines.slice(from, to).filter((l) => /\b(fsync|fdatasync)\(/.test(l) && !l.includes('resumed>'));
      const byMain = (l: string) => l.startsWith(`${pid} `);
      const quiet = syncs(at('quiet'), at('full'));
      // SQLite itself syncs a new WAL's header once, when the log (re)starts: once per checkpoint cycle, not per commit.
      expect(quiet.filter(byMain).length, 'syncs by the committing thread in 20 quiet commits').to.be.at.most(1);
      const off = quiet.filter((l) => !byMain(l));
      expect(off.length, 'WAL syncs on another thread').to.be.within(1, 20);
      expect(
        off.every((l) => l.includes('agent.db-wal>')),
        off.join('\n'),
      ).to.equal(true);
      expect(syncs(at('full'), at('end')).filter(byMain).length, 'a FULL commit syncs on its own thread').to.be.above(
        0,
      );
    },
  );
});

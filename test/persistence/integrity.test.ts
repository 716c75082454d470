/**
 * The checks behind the start and GET /ready (decisions D17, D18) on real SQLite files: quick_check inline and
 * in a worker thread, the write probe, the storage-error classes, the data-directory lock.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { isCorruptionError, isStorageError, openDatabase, probeWrite } from '../../persistence/db.ts';
import { quickCheck, quickCheckInBackground } from '../../persistence/integrity.ts';
import { DataDirInUseError, lockDataDir } from '../../persistence/lock.ts';
import { createReadiness } from '../../server/observability/readiness.ts';
import { removeDir, tempDir } from '../support/agent.ts';

/** A database with some rows, closed, then pages 3-4 overwritten (a bad disk block). */
function damagedDatabase(dir: string): string {
  const file = join(dir, 'agent.db');
  const db = openDatabase(file);
  const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
  for (let i = 0; i < 400; i++) insert.run(`key-${i}`, 'v'.repeat(200));
  db.close();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, 8192);
  closeSync(fd);
  return file;
}

describe('integrity, write probe and lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('integrity-');
  });
  afterEach(() => removeDir(dir));

  it('quick_check finds damage inline and in a worker thread; a sound file passes both', async () => {
    const sound = openDatabase(join(dir, 'sound.db'));
    expect(quickCheck(sound)).to.equal(null);
    sound.close();
    expect(await quickCheckInBackground(join(dir, 'sound.db')).result).to.equal(null);
    const file = damagedDatabase(dir);
    expect(() => openDatabase(file)).to.throw(file);
    const found = await quickCheckInBackground(file).result;
    expect(found)
      .to.be.a('string')
      .and.to.match(/quick_check|malformed/);
  });

  it('readiness turns a damage found in the background into a failing check, reported once', async () => {
    const db = openDatabase(join(dir, 'agent.db'));
    const reported: string[] = [];
    const readiness = createReadiness({
      db,
      file: join(dir, 'agent.db'),
      dataDir: dir,
      integrations: () => ({}),
      backgroundCheck: Promise.resolve('PRAGMA quick_check: Tree 5 page 9: btreeInitPage() returns error code 11'),
      onDamage: (problem) => reported.push(problem),
    });
    await new Promise((r) => setImmediate(r));
    const checks = readiness.checks();
    expect(checks.database).to.equal('ok');
    expect(checks.disk).to.equal('ok');
    expect(checks.integrity).to.match(/^fail: .*agent\.db is damaged \(PRAGMA quick_check: Tree 5/);
    readiness.observe(Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }));
    expect(reported).to.have.length(1);
    db.close();
  });

  it('the write probe commits a real write, and fails while writes fail', () => {
    const db = openDatabase(join(dir, 'agent.db'));
    expect(probeWrite(db)).to.equal(null);
    db.pragma('query_only = ON');
    expect(probeWrite(db)).to.match(/^SQLITE_READONLY/);
    db.pragma('query_only = OFF');
    db.exec('CREATE TABLE ballast (x BLOB)');
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    try {
      for (;;) db.prepare('INSERT INTO ballast VALUES (zeroblob(1000))').run();
    } catch {}
    expect(probeWrite(db)).to.match(/^SQLITE_FULL/);
    db.close();
  });

  it('classifies storage errors apart from data errors', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_BUSY', 'SQLITE_READONLY', 'SQLITE_LOCKED'])
      expect(isStorageError(err(code)), code).to.equal(true);
    for (const code of ['SQLITE_CONSTRAINT_TRIGGER', 'SQLITE_CORRUPT', 'SQLITE_ERROR'])
      expect(isStorageError(err(code)), code).to.equal(false);
    expect(isCorruptionError(err('SQLITE_CORRUPT'))).to.equal(true);
    expect(isStorageError(new Error('plain'))).to.equal(false);
  });

  it('one lock per data directory, in this process too; released, it can be taken again', () => {
    const lock = lockDataDir(dir);
    expect(() => lockDataDir(dir))
      .to.throw(DataDirInUseError)
      .with.property('message')
      .that.contains(dir)
      .and.contains(`pid ${process.pid}`);
    lock.release();
    lockDataDir(dir).release();
  });
});

/**
 * The group commit over a real SQLite file: one transaction per turn of the event loop, other writes riding it
 * (`also`), and nothing released before the disk has it.
 */
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type Db, openDatabase } from '../../../persistence/db.ts';
import type { Transition } from '../../../persistence/store.ts';
import { createWalSync, type WalSync } from '../../../persistence/wal-sync.ts';
import { createGroupCommit, type Pending } from '../../../server/runtime/group-commit.ts';

type Item = Pending<string> & { key: string };

describe('group commit', () => {
  let dir: string;
  let db: Db;
  let wal: WalSync;
  const events: string[] = [];
  const failed: string[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    db = openDatabase(join(dir, 'agent.db'));
    wal = createWalSync(db, join(dir, 'agent.db'), 'FULL');
    events.length = 0;
    failed.length = 0;
  });
  afterEach(() => {
    wal.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const put = (key: string) => db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(key, 'v');
  const count = () => db.prepare("SELECT COUNT(*) FROM settings WHERE key LIKE 't-%'").pluck().get() as number;
  const item = (owner: string, key: string): Item => ({ owner, key, transition: { id: owner } as Transition });
  const commits = () =>
    createGroupCommit<string, Item>({
      wal,
      persist: (i) => put(i.key),
      written: (i) => events.push(`written ${i.key}`),
      committed: (i) => events.push(`committed ${i.key}`),
      failed: (owner) => failed.push(owner),
      flushed: () => events.push('flushed'),
      onAfterCommitError: () => {},
    });

  it('commits one turn of the loop in one transaction; says written at once and committed once synced', async () => {
    const group = commits();
    const changesBefore = db.prepare('SELECT total_changes()').pluck().get() as number;
    group.push(item('a', 't-1'));
    group.push(item('b', 't-2'));
    const done = group.durable().then(() => events.push('durable'));
    expect(count()).to.equal(0); // nothing before the next turn
    group.flush();
    expect(count()).to.equal(2);
    expect(db.prepare('SELECT total_changes()').pluck().get()).to.equal(changesBefore + 2);
    expect(events).to.deep.equal(['flushed', 'written t-1', 'written t-2']); // the disk has not answered yet
    await done;
    // (the turn's own scheduled flush may run meanwhile, with nothing left to write)
    expect(events.slice(3).filter((e) => e !== 'flushed')).to.deep.equal(['committed t-1', 'committed t-2', 'durable']);
  });

  it('a write joining with `also` shares the commit; one that fails is refused alone, the rest is kept', async () => {
    const group = commits();
    group.push(item('a', 't-1'));
    const joined = group.also(() => put('t-extra'));
    const refused = group.also(() => {
      put('t-doomed');
      throw new Error('constraint');
    });
    const settled = Promise.allSettled([joined, refused, group.durable()]);
    const [ok, no, durable] = await settled;
    expect(ok.status).to.equal('fulfilled');
    expect(no.status).to.equal('rejected');
    expect((no as PromiseRejectedResult).reason.message).to.equal('constraint');
    expect(durable.status).to.equal('fulfilled');
    const keys = db.prepare("SELECT key FROM settings WHERE key LIKE 't-%' ORDER BY key").pluck().all();
    expect(keys).to.deep.equal(['t-1', 't-extra']);
    expect(failed).to.deep.equal([]);
  });

  it('when the disk cannot confirm a commit, its owners are told their transitions failed and nothing is released', async () => {
    const group = commits();
    group.push(item('a', 't-1'));
    await group.durable();
    unlinkSync(join(dir, 'agent.db-wal')); // the WAL the sync must reach is gone: its fdatasync cannot be done
    group.push(item('b', 't-2'));
    const joined = group.also(() => put('t-extra'));
    const [extra] = await Promise.allSettled([joined, group.durable()]);
    expect(failed).to.deep.equal(['b']);
    expect(extra.status).to.equal('rejected');
    expect(events.filter((e) => e.startsWith('committed'))).to.deep.equal(['committed t-1']);
  });

  it("an owner whose writes fail is told so; the other owners' transitions are committed", async () => {
    const group = commits();
    group.push(item('a', 't-1'));
    group.push(item('b', 't-1')); // the same key again: this owner's write fails
    group.push(item('c', 't-3'));
    await group.durable();
    expect(failed).to.deep.equal(['b']);
    expect(db.prepare("SELECT key FROM settings WHERE key LIKE 't-%' ORDER BY key").pluck().all()).to.deep.equal([
      't-1',
      't-3',
    ]);
    expect(events.filter((e) => e.startsWith('committed'))).to.deep.equal(['committed t-1', 'committed t-3']);
  });
});

/**
 * Group commit: the transitions of every actor made in one turn of the event loop are committed in ONE
 * transaction (one fsync, run off the event loop: persistence/wal-sync.ts) on the next turn. Nothing leaves the
 * process before its transition is durable:
 * effects wait for `durable()` first, and what happens after a commit (settle, timers, dashboard) runs after it.
 * When the batch cannot be committed, each owner's transitions are tried on their own, so one negotiation whose
 * writes fail does not hold the others back. Other writes that need the same promise (the send queue's rows) join a
 * commit with `also`, so they share its fsync instead of paying their own.
 */
import type { Transition } from '../../persistence/store.ts';
import type { WalSync } from '../../persistence/wal-sync.ts';

export interface Pending<Owner> {
  transition: Transition;
  owner: Owner;
}

interface Extra {
  write(): void;
  resolve(): void;
  reject(error: unknown): void;
}

export function createGroupCommit<Owner, Item extends Pending<Owner>>(deps: {
  /** Its transactions; the fsync runs off the event loop, and nothing is released before it is done. */
  wal: Pick<WalSync, 'transaction' | 'sync'>;
  persist(item: Item): void;
  /** Right after the transaction, in order (what reads now show: metrics, the dashboard's live updates, timers). */
  written(item: Item): void;
  /** Once the disk has it, in order (what acknowledges it: settled negotiations); errors are reported, not thrown. */
  committed(item: Item): void;
  /** The owner's transitions were not committed, or their sync failed (before anything of them is released). */
  failed(owner: Owner, id: string, error: unknown): void;
  /** After every flush, committed or not. */
  flushed(): void;
  onAfterCommitError(item: Item, error: unknown): void;
}) {
  let batch: Item[] = [];
  let scheduled = false;
  let waiters: (() => void)[] = [];
  let extras: Extra[] = [];

  function commit(items: Item[], writes: Extra[] = []): void {
    deps.wal.transaction(() => {
      for (const item of items) deps.persist(item);
      for (const extra of writes) extra.write();
    });
  }

  /** The batch could not be committed whole: each owner's transitions, and each other write, on its own. */
  function commitApart(items: Item[], writes: Extra[]): { committed: Item[]; refused: Map<Extra, unknown> } {
    const committed: Item[] = [];
    for (const owner of new Set(items.map((i) => i.owner))) {
      const own = items.filter((i) => i.owner === owner);
      try {
        commit(own);
        committed.push(...own);
      } catch (error) {
        deps.failed(owner, own[0].transition.id, error);
      }
    }
    const refused = new Map<Extra, unknown>();
    for (const extra of writes) {
      try {
        commit([], [extra]);
      } catch (error) {
        refused.set(extra, error);
      }
    }
    return { committed, refused };
  }

  function flush(): void {
    scheduled = false;
    const items = batch;
    batch = [];
    const waiting = waiters;
    waiters = [];
    const writes = extras;
    extras = [];
    let committed = items;
    let refused = new Map<Extra, unknown>();
    if (items.length || writes.length) {
      try {
        commit(items, writes);
      } catch {
        ({ committed, refused } = commitApart(items, writes));
      }
    }
    deps.flushed();
    afterEach(committed, deps.written);
    // Written, visible to every read; released once the disk has it (also an earlier flush's, still syncing).
    deps.wal.sync().then(
      () => release(committed, writes, refused, waiting),
      (error) => {
        // The disk refused the WAL: nothing of this flush may be taken as kept.
        for (const owner of new Set(committed.map((i) => i.owner)))
          deps.failed(owner, committed.find((i) => i.owner === owner)?.transition.id ?? '', error);
        release([], writes, new Map(writes.map((extra) => [extra, error])), waiting);
      },
    );
  }

  function afterEach(items: Item[], step: (item: Item) => void) {
    for (const item of items) {
      try {
        step(item);
      } catch (error) {
        deps.onAfterCommitError(item, error);
      }
    }
  }

  function release(committed: Item[], writes: Extra[], refused: Map<Extra, unknown>, waiting: (() => void)[]) {
    afterEach(committed, deps.committed);
    for (const extra of writes) {
      if (refused.has(extra)) extra.reject(refused.get(extra));
      else extra.resolve();
    }
    for (const resolve of waiting) resolve();
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    push(item: Item): void {
      batch.push(item);
      schedule();
    },
    /** Commits what is queued now (before an actor is restored from the database, and at shutdown); the disk may
     * still be syncing it when this returns. */
    flush,
    pending: (): number => batch.length,
    /**
     * Runs `write` inside the next commit's transaction (so it shares that fsync). Resolves once committed; rejects
     * with the error when it could not be (the transitions beside it are then committed without it).
     */
    also(write: () => void): Promise<void> {
      return new Promise((resolve, reject) => {
        extras.push({ write, resolve, reject });
        schedule();
      });
    },
    /** Resolves once every transition queued so far is committed (or dropped). */
    durable(): Promise<void> {
      schedule();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

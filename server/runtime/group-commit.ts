/**
 * Group commit: the transitions of every actor made in one turn of the event loop are committed in ONE
 * transaction (one fsync) on the next turn. Nothing leaves the process before its transition is durable:
 * effects wait for `durable()` first, and what happens after a commit (settle, timers, dashboard) runs after it.
 * When the batch cannot be committed, each owner's transitions are tried on their own, so one negotiation whose
 * writes fail does not hold the others back.
 */
import type { Db } from '../../persistence/db.ts';
import type { Transition } from '../../persistence/store.ts';

export interface Pending<Owner> {
  transition: Transition;
  owner: Owner;
}

export function createGroupCommit<Owner, Item extends Pending<Owner>>(deps: {
  db: Db;
  persist(item: Item): void;
  /** After the commit, in order; an error here is reported, never thrown into the commit. */
  committed(item: Item): void;
  /** The owner's transitions were not committed (called during the flush, before anything is released). */
  failed(owner: Owner, id: string, error: unknown): void;
  /** After every flush, committed or not. */
  flushed(): void;
  onAfterCommitError(item: Item, error: unknown): void;
}) {
  let batch: Item[] = [];
  let scheduled = false;
  let waiters: (() => void)[] = [];

  function commit(items: Item[]): void {
    deps.db
      .transaction(() => {
        for (const item of items) deps.persist(item);
      })
      .immediate();
  }

  function flush(): void {
    scheduled = false;
    const items = batch;
    batch = [];
    const waiting = waiters;
    waiters = [];
    let committed = items;
    if (items.length) {
      try {
        commit(items);
      } catch {
        committed = [];
        for (const owner of new Set(items.map((i) => i.owner))) {
          const own = items.filter((i) => i.owner === owner);
          try {
            commit(own);
            committed.push(...own);
          } catch (error) {
            deps.failed(owner, own[0].transition.id, error);
          }
        }
      }
    }
    deps.flushed();
    for (const item of committed) {
      try {
        deps.committed(item);
      } catch (error) {
        deps.onAfterCommitError(item, error);
      }
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
    /** Commits what is queued now (before an actor is restored from the database, and at shutdown). */
    flush,
    pending: (): number => batch.length,
    /** Resolves once every transition queued so far is committed (or dropped). */
    durable(): Promise<void> {
      schedule();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

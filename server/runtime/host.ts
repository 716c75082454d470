/**
 * The actor host: keeps live negotiation actors, persists every transition (snapshot + emitted rows in one
 * transaction), restores actors from SQLite on demand and at boot, re-delivers inbox messages not yet taken,
 * and isolates failures (decisions D18): a failing actor is reported, reloaded from its last good snapshot and,
 * after repeated failures, parked; a snapshot that cannot be restored parks its negotiation at once; a transition
 * the database could not take (full disk) is dropped and its negotiation held until writes work again. The
 * process and the other negotiations keep going. Its parts: live-actors.ts (the cache), group-commit.ts (one
 * commit per turn), transition-writes.ts (what a commit writes of each transition), actor-failures.ts (the failure
 * rule), storage-hold.ts, scheduler.ts (durable timers); host-deps.ts says what it is given.
 */
import type { InspectionEvent } from 'xstate';
import {
  domainStateOf,
  isBusy,
  type NegotiationContext,
  type NegotiationEmitted,
  type NegotiationEvent,
  type NegotiationInput,
  nextDeadlineAt,
} from '../../machines/negotiation.ts';
import { describeError, isStorageError, probeWrite } from '../../persistence/db.ts';
import type { InboxMessage } from '../../persistence/inbox.ts';
import type { EffectRef } from '../../persistence/journal.ts';
import {
  createNegotiationActor,
  type NegotiationActor,
  type NegotiationSnapshot,
  restoreNegotiationActor,
  SnapshotError,
  type Transition,
} from '../../persistence/store.ts';
import { type DomainState, TERMINAL_STATES } from '../../services/domain.ts';
import { createActorFailures } from './actor-failures.ts';
import { createGroupCommit } from './group-commit.ts';
import { recordUnanswered, replyOf } from './inbox-hand-over.ts';
import { createLiveActors, type Live } from './live-actors.ts';
import { createScheduler } from './scheduler.ts';
import { createStorageHold } from './storage-hold.ts';
import { createTransitionWrites, type Staged } from './transition-writes.ts';
import type { HostDeps } from './host-deps.ts';

export type { EffectRuntime, HostDeps } from './host-deps.ts';

export function createHost(deps: HostDeps) {
  const { store, clock, logger } = deps;
  const live = createLiveActors(deps.cacheSize);
  let delivering: string | null = null; // inbox message being handed to an actor
  let shuttingDown = false;
  const storage = createStorageHold({
    probe: () => probeWrite(deps.db),
    retryMs: deps.storageRetryMs ?? 1000,
    logger,
    onChange: deps.onStorage,
    resume(ids) {
      for (const id of ids) restart(id);
      timers.poke(); // due timers whose transitions were dropped fire again
    },
  });

  const failures = createActorFailures({ store, clock, logger, storage, onFailure: deps.onFailure });
  const park = failures.park;

  const writes = createTransitionWrites(store);
  // each live actor's snapshot when it was last handed over: the same object again, with no records, is unchanged
  const lastSeen = new WeakMap<Live, NegotiationSnapshot>();
  const commits = createGroupCommit<Live, Staged>({
    wal: deps.wal,
    persist: writes.write,
    written: afterWrite,
    committed: afterCommit,
    failed(entry, id, error) {
      entry.broken = true; // in-memory state is ahead of the database: use it no more
      queueMicrotask(() => fail(id, entry, error, 'persist'));
    },
    flushed: () => inFlight.clear(),
    onAfterCommitError: (item, error) =>
      logger.error('after-commit step failed', { negotiationId: item.transition.id, error: describeError(error) }),
  });
  const durable = commits.durable;
  // Delivered to an actor but not yet committed as taken: never delivered twice meanwhile.
  const inFlight = new Set<string>();
  const machine = deps.machine({ durable, completed });
  // Durable timers (D7): a due deadline is a TIMEOUT event sent like any other.
  const timers = createScheduler({ db: deps.db, clock, logger, fire: (id, at) => send(id, { type: 'TIMEOUT', at }) });

  /** An effect's result, journaled with the transition that consumes it (or at once if none will). */
  function completed(effect: EffectRef, result: unknown): void {
    const entry = live.get(effect.negotiationId);
    if (entry && !entry.stopping && !entry.broken)
      entry.completions.push({ key: effect.key, kind: effect.kind, result });
    else deps.journal.complete(effect, result, clock.iso());
  }

  /**
   * Sends an event; false when the negotiation does not exist, is parked, or cannot take it now. Throws the
   * storage error while the database cannot be written (nothing would be kept).
   */
  function send(id: string, event: NegotiationEvent): boolean {
    if (storage.failure) throw storage.failure;
    const entry = load(id);
    if (!entry || !accepts(id, entry, event)) return false;
    entry.actor.send(event);
    return true;
  }

  /** Written (reads show it): metrics and the dashboard hear of it, its deadline is watched. */
  function afterWrite({ transition: t, owner: entry, from, unchanged }: Staged) {
    if (unchanged) return; // nothing was written
    const state = domainStateOf(t.snapshot);
    deps.onPersist?.(t.id, from, state, t.emitted);
    if (entry.stopping) return;
    const deadline = nextDeadlineAt(t.snapshot, deps.policy);
    if (deadline !== entry.deadline) {
      entry.deadline = deadline;
      timers.poke();
    }
  }

  /** On disk: whoever waits for it to settle may answer now. */
  function afterCommit({ transition: t, owner: entry, unchanged }: Staged) {
    if (unchanged || entry.stopping) return;
    if (!isBusy(entry.actor.getSnapshot())) live.idle(t.id, entry, TERMINAL_STATES.has(entry.state));
  }

  function attach(
    id: string,
    create: (inspect: (e: InspectionEvent) => void) => NegotiationActor,
    json: string,
    state: DomainState,
  ) {
    let entry: Live | undefined;
    const actor = create((event) => {
      deps.inspect?.(event, id);
      if (event.type === '@xstate.snapshot' && entry && event.actorRef === entry.actor)
        onSnapshot(id, entry, event.event);
    });
    const added = live.add(id, actor, json, state);
    entry = added;
    actor.on('*', (e) => added.emitted.push(e as NegotiationEmitted));
    actor.subscribe({ error: (error) => fail(id, added, error, 'action') });
    return added;
  }

  function onSnapshot(id: string, entry: Live, event: { type: string; error?: unknown }) {
    if (entry.stopping || entry.broken || shuttingDown) return;
    const snapshot = entry.actor.getSnapshot();
    if (snapshot.status === 'error') return; // reported through the error observer; never persisted (fact 5)
    if (event.type.startsWith('xstate.error.actor') && isStorageError(event.error)) {
      // An effect failed because the database refused its journal write (a full disk), not because of the
      // outside world: that outcome is not kept; the negotiation waits for writes and runs the effect again.
      entry.broken = true;
      queueMicrotask(() => fail(id, entry, event.error, 'persist'));
      return;
    }
    const emitted = entry.emitted.splice(0);
    const completions = entry.completions.splice(0);
    // unchanged (fact 5): the same snapshot object; a new one that serialises the same is dropped when written
    if (snapshot === lastSeen.get(entry) && emitted.length === 0 && completions.length === 0) return;
    lastSeen.set(entry, snapshot);
    const from = entry.state;
    const transition: Transition = {
      id,
      snapshot,
      json: '', // when written
      previousState: from,
      event: event.type,
      emitted,
      completions,
      at: clock.iso(),
    };
    entry.state = domainStateOf(snapshot);
    commits.push(writes.stage(entry, transition, from));
  }

  function fail(id: string, entry: Live, error: unknown, cause: 'action' | 'persist') {
    if (entry.stopping || shuttingDown) return;
    live.unload(id, entry);
    timers.retry(id); // its timer, if due, must fire again: the transition it led to was not committed
    // An inbound message that made the machine throw is dead-lettered, not re-delivered forever.
    if (failures.failed(id, error, cause, cause === 'action' ? delivering : null)) setImmediate(() => restart(id));
  }

  function restart(id: string) {
    if (shuttingDown || live.has(id)) return;
    try {
      if (load(id)) drain(id);
    } catch (error) {
      onLoadError(id, error);
    }
  }

  /** A load or hand-over that threw: a storage error holds the negotiation; anything else is logged, never thrown. */
  function onLoadError(id: string, error: unknown) {
    if (isStorageError(error)) storage.hold(error, id);
    else logger.error('negotiation could not be loaded', { negotiationId: id, error: describeError(error) });
  }

  /** Hands a negotiation every inbox message it has not taken yet, oldest first. Never throws. */
  function drain(id: string) {
    try {
      for (const message of deps.inbox.pending(id)) deliver(message);
    } catch (error) {
      onLoadError(id, error);
    }
  }

  /**
   * The live actor of a negotiation, restored from its snapshot if needed (the one guarded restore: boot, timers,
   * inbox, commands and read models all come here). Undefined when it does not exist or is parked; a snapshot
   * that cannot be restored parks it. Throws the storage error while the database cannot be written.
   */
  function load(id: string): Live | undefined {
    const existing = live.touch(id);
    if (existing) return existing;
    if (storage.failure) throw storage.failure; // nothing it did could be committed; resumed when writes work
    if (commits.pending()) commits.flush(); // the database must hold every transition before a restore from it
    const row = store.load(id);
    if (!row || row.failure) return undefined;
    let entry: Live | undefined;
    try {
      entry = attach(id, (inspect) => restoreNegotiationActor(machine, row, { inspect }), row.snapshot, row.state);
      entry.actor.start();
      entry.deadline = nextDeadlineAt(entry.actor.getSnapshot(), deps.policy);
    } catch (error) {
      if (entry) live.unload(id, entry);
      park(
        id,
        error instanceof SnapshotError ? error : new SnapshotError(`negotiation ${id}: ${describeError(error)}`),
      );
      return undefined;
    }
    live.evictIdle();
    return entry.stopping ? undefined : entry; // an actor that failed while starting was reported already
  }

  /** Whether the actor can take the event now; a snapshot whose guards throw on it parks the negotiation. */
  function accepts(id: string, entry: Live, event: NegotiationEvent): boolean {
    try {
      return entry.actor.getSnapshot().can(event);
    } catch (error) {
      live.unload(id, entry);
      park(id, new SnapshotError(`negotiation ${id} cannot take ${event.type}: ${describeError(error)}`));
      return false;
    }
  }

  function deliver(message: InboxMessage): void {
    // already taken (or dead-lettered, or taken by a transition not committed yet): never twice
    if (inFlight.has(message.messageId) || !deps.inbox.isPending(message.messageId)) return;
    const entry = load(message.negotiationId);
    const event: NegotiationEvent = { type: 'REPLY', reply: replyOf(message) };
    if (entry && accepts(message.negotiationId, entry, event)) {
      inFlight.add(message.messageId);
      delivering = message.messageId;
      try {
        entry.actor.send(event);
      } finally {
        delivering = null;
      }
      return;
    }
    const row = store.load(message.negotiationId);
    // A parked negotiation keeps its mail pending: it is handed over once a person un-parks it.
    if (!row || row.failure) return;
    recordUnanswered(deps.db, deps.inbox, row, message, clock.iso());
  }

  return {
    /**
     * Creates negotiations: their first snapshots are written inside `transaction` (with whatever else the
     * caller writes there), then the actors start and send their opening offers. `asleep`: they are only stored
     * (a big campaign, D20); the send queue wakes each when its opening email's turn nears, like a restart would.
     */
    create(
      items: { input: NegotiationInput; campaignId: string }[],
      transaction: (write: () => void) => void,
      options: { asleep?: boolean } = {},
    ): void {
      const created: string[] = [];
      try {
        transaction(() => {
          for (const { input, campaignId } of items) {
            const entry = attach(
              input.id,
              (inspect) => createNegotiationActor(machine, input, { inspect }),
              '',
              'initial_offer',
            );
            created.push(input.id);
            const snapshot = entry.actor.getSnapshot();
            entry.json = JSON.stringify(entry.actor.getPersistedSnapshot());
            entry.state = domainStateOf(snapshot);
            store.insert(
              {
                id: input.id,
                snapshot,
                json: entry.json,
                previousState: null,
                event: 'create',
                emitted: [],
                at: clock.iso(),
              },
              campaignId,
            );
          }
        });
      } catch (error) {
        for (const id of created) live.forget(id); // never started: nothing to stop or persist
        throw error;
      }
      // Asleep: never started, the stored snapshot is all (the actor is dropped).
      if (options.asleep) for (const id of created) live.forget(id);
      else for (const id of created) live.get(id)?.actor.start();
      live.evictIdle();
    },
    send,
    /** Restores a stored negotiation not in memory (asleep, or evicted) and hands it its pending mail. */
    wake: restart,
    /**
     * Lets go of a live actor whose only work is an email waiting in the send queue, its row marked asleep (D20):
     * stopped like an eviction (nothing more persisted; the stored snapshot holds the send), restored by `wake`.
     */
    release(id: string): void {
      const entry = live.get(id);
      if (entry && !entry.stopping && !entry.broken) live.unload(id, entry);
    },
    /** The live snapshot, restored through the guarded path; undefined when unknown or parked. */
    snapshot(id: string): NegotiationSnapshot | undefined {
      return load(id)?.actor.getSnapshot();
    },
    /**
     * The negotiation's current context for read models, through the same guarded restore (the actor is not
     * started); null when it is parked or its snapshot cannot be restored (then it is parked), undefined if unknown.
     */
    context(id: string): NegotiationContext | null | undefined {
      const existing = live.get(id);
      if (existing && !existing.stopping && !existing.broken) return existing.actor.getSnapshot().context;
      const row = store.load(id);
      if (!row) return undefined;
      if (row.failure) return null;
      try {
        return restoreNegotiationActor(machine, row).getSnapshot().context;
      } catch (error) {
        park(id, error);
        return null;
      }
    },
    /**
     * Resolves once the negotiation has no effect in flight (or after `timeoutMs`); rejects with the storage
     * error when what it did could not be committed.
     */
    async settle(id: string, timeoutMs = 10_000): Promise<void> {
      const entry = live.get(id);
      if (!entry || !isBusy(entry.actor.getSnapshot())) {
        await durable(); // what it did is committed (or dropped)
      } else {
        await live.whenSettled(entry, timeoutMs);
      }
      if (storage.failure && storage.isHeld(id)) throw storage.failure;
    },
    drain,
    /** Lets a parked negotiation run again (after its cause was fixed): reload it and hand it its pending mail. */
    unpark(id: string): void {
      store.markFailed(id, null, clock.iso());
      failures.forget(id);
      restart(id);
    },
    /** The durable timers: poked when the clock moves, stopped when the agent closes. */
    timers: { poke: () => timers.poke(), stop: () => timers.stop() },
    /** Boot: restart every negotiation with an effect in flight, then re-deliver inbox messages not yet taken. */
    boot(busyIds: string[]): { restored: number; redelivered: number } {
      for (const id of busyIds) restart(id);
      const pending = deps.inbox.pending();
      for (const message of pending) {
        try {
          deliver(message);
        } catch (error) {
          onLoadError(message.negotiationId, error);
        }
      }
      return { restored: busyIds.length, redelivered: pending.length };
    },
    durable,
    /** A write that joins the next group commit, sharing its fsync; resolves once committed. */
    commitWith: commits.also,
    /** What database writes fail with right now (null when they work). */
    storageFailure: (): string | null => storage.failure?.message ?? null,
    /** Commits what is pending, then stops every actor without persisting more. */
    shutdown(): void {
      commits.flush();
      shuttingDown = true;
      storage.stop();
      live.stopAll();
    },
  };
}

export type Host = ReturnType<typeof createHost>;

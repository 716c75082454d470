/**
 * The actor host: keeps live negotiation actors, persists every transition (snapshot + emitted rows in one
 * transaction), restores actors from SQLite on demand and at boot, re-delivers inbox messages not yet taken,
 * and isolates failures: a failing actor is reported, reloaded from its last good snapshot and, after repeated
 * failures, parked — the others keep going.
 */
import type { InspectionEvent } from 'xstate';
import {
  domainStateOf,
  isBusy,
  type NegotiationEmitted,
  type NegotiationEvent,
  type NegotiationInput,
  nextDeadlineAt,
} from '../machines/negotiation.ts';
import type { Db } from '../persistence/db.ts';
import type { Inbox, InboxMessage } from '../persistence/inbox.ts';
import type { Journal } from '../persistence/journal.ts';
import {
  createNegotiationActor,
  type NegotiationActor,
  type NegotiationMachine,
  type NegotiationSnapshot,
  type Policy,
  restoreNegotiationActor,
  type Store,
  type Transition,
} from '../persistence/store.ts';
import { appendTimeline } from '../persistence/timeline.ts';
import type { Clock } from '../services/clock.ts';
import { type DomainState, TERMINAL_STATES } from '../services/domain.ts';
import type { CrashHook } from './crash.ts';
import type { Logger } from './logger.ts';

interface Live {
  actor: NegotiationActor;
  json: string; // last snapshot handed to the store (committed, or in the batch being committed)
  state: DomainState;
  deadline: number | null;
  emitted: NegotiationEmitted[];
  completions: { key: string; result: unknown }[];
  settled: Set<() => void>;
  stopping: boolean;
  broken?: boolean; // a persist failed: the in-memory state must not be used any more
}

export interface HostDeps {
  db: Db;
  store: Store;
  inbox: Inbox;
  journal: Journal;
  machine: NegotiationMachine; // already provided with the effect implementations
  clock: Clock;
  logger: Logger;
  policy: Policy;
  cacheSize: number;
  crash: CrashHook;
  onDeadlineChange(): void;
  onFailure(negotiationId: string, message: string, parked: boolean): void;
  /** An outside observer of every actor (the Stately inspector, the inspection log). */
  inspect?(event: InspectionEvent, negotiationId: string): void;
  onPersist?(id: string, from: DomainState, to: DomainState, emitted: NegotiationEmitted[]): void;
}

const MAX_FAILURES = 3;

export function createHost(deps: HostDeps) {
  const { store, clock, logger } = deps;
  const live = new Map<string, Live>(); // insertion order doubles as least-recently-used order
  const failures = new Map<string, number>();
  let delivering: string | null = null; // inbox message being handed to an actor
  let shuttingDown = false;

  /**
   * Group commit: the transitions of every actor made in one turn of the event loop are committed in ONE
   * transaction (one fsync) on the next turn. Nothing leaves the process before its transition is durable:
   * effects wait for `durable()` first, and what happens after a commit (settle, timers, dashboard) runs after it.
   */
  let batch: { transition: Transition; entry: Live; from: DomainState }[] = [];
  let flushScheduled = false;
  let durableWaiters: (() => void)[] = [];
  // Delivered to an actor but not yet committed as taken: never delivered twice meanwhile.
  const inFlight = new Set<string>();

  function scheduleFlush() {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flush);
  }

  function flush() {
    flushScheduled = false;
    const items = batch;
    batch = [];
    const waiters = durableWaiters;
    durableWaiters = [];
    let committed = items;
    if (items.length) {
      try {
        deps.db
          .transaction(() => {
            for (const item of items) store.persist(item.transition);
          })
          .immediate();
      } catch {
        // Commit what can be committed, negotiation by negotiation; a negotiation whose writes fail is reloaded.
        committed = [];
        for (const entry of new Set(items.map((i) => i.entry))) {
          const own = items.filter((i) => i.entry === entry);
          try {
            deps.db
              .transaction(() => {
                for (const item of own) store.persist(item.transition);
              })
              .immediate();
            committed.push(...own);
          } catch (error) {
            entry.broken = true; // in-memory state is ahead of the database: use it no more
            const { id } = own[0].transition;
            queueMicrotask(() => fail(id, entry, error, 'persist'));
          }
        }
      }
    }
    inFlight.clear();
    for (const item of committed) afterCommit(item);
    for (const resolve of waiters) resolve();
  }

  /** Resolves once every transition made so far is committed (effects wait for this before acting). */
  function durable(): Promise<void> {
    scheduleFlush();
    return new Promise((resolve) => durableWaiters.push(resolve));
  }

  function afterCommit({ transition: t, entry, from }: (typeof batch)[number]) {
    const state = domainStateOf(t.snapshot);
    deps.onPersist?.(t.id, from, state, t.emitted);
    deps.crash('after_persist');
    if (entry.stopping) return;
    const deadline = nextDeadlineAt(t.snapshot, deps.policy);
    if (deadline !== entry.deadline) {
      entry.deadline = deadline;
      deps.onDeadlineChange();
    }
    if (!isBusy(entry.actor.getSnapshot())) {
      for (const resolve of entry.settled) resolve();
      entry.settled.clear();
      if (TERMINAL_STATES.has(entry.state)) queueMicrotask(() => evict(t.id, entry));
    }
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
        onSnapshot(id, entry, event.event.type);
    });
    entry = { actor, json, state, deadline: null, emitted: [], completions: [], settled: new Set(), stopping: false };
    actor.on('*', (e) => entry.emitted.push(e as NegotiationEmitted));
    actor.subscribe({ error: (error) => fail(id, entry, error, 'action') });
    live.set(id, entry);
    return entry;
  }

  function onSnapshot(id: string, entry: Live, eventType: string) {
    if (entry.stopping || entry.broken || shuttingDown) return;
    const snapshot = entry.actor.getSnapshot();
    if (snapshot.status === 'error') return; // reported through the error observer; never persisted (fact 5)
    const json = JSON.stringify(entry.actor.getPersistedSnapshot());
    const emitted = entry.emitted.splice(0);
    const completions = entry.completions.splice(0);
    if (json === entry.json && emitted.length === 0 && completions.length === 0) return; // unchanged (fact 5)
    const from = entry.state;
    const transition = {
      id,
      snapshot,
      json,
      previousState: from,
      event: eventType,
      emitted,
      completions,
      at: clock.iso(),
    };
    entry.json = json;
    entry.state = domainStateOf(snapshot);
    batch.push({ transition, entry, from });
    scheduleFlush();
  }

  function fail(id: string, entry: Live, error: unknown, cause: 'action' | 'persist') {
    if (entry.stopping || shuttingDown) return;
    entry.stopping = true;
    entry.actor.stop();
    live.delete(id);
    for (const resolve of entry.settled) resolve();
    const message = error instanceof Error ? error.message : String(error);
    const count = (failures.get(id) ?? 0) + 1;
    failures.set(id, count);
    const parked = count >= MAX_FAILURES;
    logger.error('negotiation actor failed', {
      negotiationId: id,
      cause,
      error: message,
      stack: (error as Error)?.stack,
      parked,
    });
    try {
      deps.db
        .transaction(() => {
          const owner = store.load(id);
          appendTimeline(deps.db, {
            negotiationId: id,
            campaignId: owner?.campaignId ?? null,
            influencerEmail: owner?.influencerEmail ?? null,
            at: clock.iso(),
            entry: { type: 'error', cause, message, parked },
          });
          // An inbound message that made the machine throw is dead-lettered, not re-delivered forever.
          if (cause === 'action' && delivering) deps.inbox.fail(delivering, message);
          if (parked) store.markFailed(id, message, clock.iso());
        })
        .immediate();
    } catch (writeError) {
      logger.error('could not record actor failure', { negotiationId: id, error: String(writeError) });
    }
    deps.onFailure(id, message, parked);
    if (!parked) setImmediate(() => restart(id));
  }

  function restart(id: string) {
    if (shuttingDown || live.has(id)) return;
    if (load(id)) drain(id);
  }

  /** Hands a negotiation every inbox message it has not taken yet, oldest first. */
  function drain(id: string) {
    for (const message of deps.inbox.pending(id)) deliver(message);
  }

  function load(id: string): Live | undefined {
    const existing = live.get(id);
    if (existing) {
      live.delete(id); // refresh LRU position
      live.set(id, existing);
      return existing;
    }
    if (batch.length) flush(); // the database must hold every transition before an actor is restored from it
    const row = store.load(id);
    if (!row || row.failure) return undefined;
    let entry: Live;
    try {
      entry = attach(id, (inspect) => restoreNegotiationActor(deps.machine, row, { inspect }), row.snapshot, row.state);
    } catch (error) {
      store.markFailed(id, error instanceof Error ? error.message : String(error), clock.iso());
      deps.onFailure(id, String(error), true);
      return undefined;
    }
    entry.actor.start();
    entry.deadline = nextDeadlineAt(entry.actor.getSnapshot(), deps.policy);
    evictIdle();
    return entry;
  }

  function evict(id: string, entry: Live) {
    if (entry.stopping || entry.settled.size || isBusy(entry.actor.getSnapshot())) return;
    entry.stopping = true; // never persist after stop (fact 5)
    entry.actor.stop();
    live.delete(id);
  }

  function evictIdle() {
    if (live.size <= deps.cacheSize) return;
    for (const [id, entry] of live) {
      if (live.size <= deps.cacheSize) break;
      evict(id, entry);
    }
  }

  function deliver(message: InboxMessage): void {
    // already taken (or dead-lettered, or taken by a transition not committed yet): never twice
    if (inFlight.has(message.messageId) || !deps.inbox.isPending(message.messageId)) return;
    const entry = load(message.negotiationId);
    const reply = {
      messageId: message.messageId,
      from: message.from,
      subject: message.subject,
      text: message.text,
      receivedAt: message.receivedAt,
      ...(message.signature ? { signature: message.signature } : {}),
      // The reply extraction's reading (D16): context only, and whether their words were told apart.
      ...(message.quoted ? { quoted: message.quoted } : {}),
      uncertain: message.uncertain === true,
    };
    const event: NegotiationEvent = { type: 'REPLY', reply };
    if (entry?.actor.getSnapshot().can(event)) {
      inFlight.add(message.messageId);
      delivering = message.messageId;
      try {
        entry.actor.send(event);
      } finally {
        delivering = null;
      }
      return;
    }
    // Closed (or parked) negotiation: the reply is still recorded, never answered.
    const row = store.load(message.negotiationId);
    if (!row) return;
    deps.db
      .transaction(() => {
        appendTimeline(deps.db, {
          negotiationId: message.negotiationId,
          campaignId: row.campaignId,
          influencerEmail: row.influencerEmail,
          at: clock.iso(),
          entry: {
            type: 'email_received',
            ...reply,
            note: `not processed: negotiation is ${row.failure ? 'failed' : row.state}`,
          },
        });
        deps.inbox.markTaken(message.messageId, clock.iso());
      })
      .immediate();
  }

  return {
    /**
     * Creates negotiations: their first snapshots are written inside `transaction` (with whatever else the
     * caller writes there), then the actors start and send their opening offers.
     */
    create(items: { input: NegotiationInput; campaignId: string }[], transaction: (write: () => void) => void): void {
      const created: string[] = [];
      try {
        transaction(() => {
          for (const { input, campaignId } of items) {
            const entry = attach(
              input.id,
              (inspect) => createNegotiationActor(deps.machine, input, { inspect }),
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
        for (const id of created) live.delete(id); // never started: nothing to stop or persist
        throw error;
      }
      for (const id of created) live.get(id)?.actor.start();
      evictIdle();
    },
    /** Sends an event; false when the negotiation does not exist, is parked, or cannot take it now. */
    send(id: string, event: NegotiationEvent): boolean {
      const entry = load(id);
      if (!entry) return false;
      if (!entry.actor.getSnapshot().can(event)) return false;
      entry.actor.send(event);
      return true;
    },
    snapshot(id: string): NegotiationSnapshot | undefined {
      return load(id)?.actor.getSnapshot();
    },
    /** Resolves once the negotiation has no effect in flight (or after `timeoutMs`). */
    settle(id: string, timeoutMs = 10_000): Promise<void> {
      const entry = live.get(id);
      if (!entry || !isBusy(entry.actor.getSnapshot())) return durable(); // what it did is committed
      return new Promise((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          entry?.settled.delete(done);
          resolve();
        }
        entry.settled.add(done);
      });
    },
    drain,
    /** Lets a parked negotiation run again (after its cause was fixed): reload it and hand it its pending mail. */
    unpark(id: string): void {
      store.markFailed(id, null, clock.iso());
      failures.delete(id);
      restart(id);
    },
    /** An effect's result, journaled with the transition that consumes it (or at once if none will). */
    completed(id: string, key: string, result: unknown): void {
      const entry = live.get(id);
      if (entry && !entry.stopping && !entry.broken) entry.completions.push({ key, result });
      else deps.journal.complete(key, result, clock.iso());
    },
    /** Boot: restart every negotiation with an effect in flight, then re-deliver inbox messages not yet taken. */
    boot(busyIds: string[]): { restored: number; redelivered: number } {
      for (const id of busyIds) load(id);
      const pending = deps.inbox.pending();
      for (const message of pending) deliver(message);
      return { restored: busyIds.length, redelivered: pending.length };
    },
    durable,
    /** Commits what is pending, then stops every actor without persisting more. */
    shutdown(): void {
      flush();
      shuttingDown = true;
      for (const entry of live.values()) {
        entry.stopping = true;
        entry.actor.stop();
      }
      live.clear();
    },
  };
}

export type Host = ReturnType<typeof createHost>;

/**
 * The host's cache of live actors: one entry per negotiation whose actor runs in memory, least recently used
 * first (a Map's insertion order), bounded by ACTOR_CACHE_SIZE. An idle actor is evicted (stopped, never persisted
 * again: fact 5) and restored from its snapshot when it is needed next; a busy one, or one somebody waits on,
 * stays.
 */
import { isBusy, type NegotiationEmitted } from '../../machines/negotiation.ts';
import type { Completion, NegotiationActor } from '../../persistence/store.ts';
import type { DomainState } from '../../services/domain.ts';

export interface Live {
  actor: NegotiationActor;
  json: string; // last snapshot handed to the store (committed, or in the batch being committed)
  state: DomainState;
  deadline: number | null;
  emitted: NegotiationEmitted[];
  completions: Completion[];
  settled: Set<() => void>; // waiting for the actor to have no effect in flight
  stopping: boolean;
  broken?: boolean; // a persist failed: the in-memory state must not be used any more
}

export function createLiveActors(cacheSize: number) {
  const live = new Map<string, Live>();

  function release(entry: Live) {
    for (const resolve of entry.settled) resolve();
    entry.settled.clear();
  }

  function evict(id: string, entry: Live) {
    if (entry.stopping || entry.settled.size || isBusy(entry.actor.getSnapshot())) return;
    entry.stopping = true; // never persist after stop (fact 5)
    entry.actor.stop();
    live.delete(id);
  }

  return {
    get: (id: string): Live | undefined => live.get(id),
    has: (id: string): boolean => live.has(id),
    /** A new entry for this actor (not started). */
    add(id: string, actor: NegotiationActor, json: string, state: DomainState): Live {
      const entry: Live = {
        actor,
        json,
        state,
        deadline: null,
        emitted: [],
        completions: [],
        settled: new Set(),
        stopping: false,
      };
      live.set(id, entry);
      return entry;
    },
    /** The entry, now the most recently used. */
    touch(id: string): Live | undefined {
      const existing = live.get(id);
      if (existing) {
        live.delete(id);
        live.set(id, existing);
      }
      return existing;
    },
    /** Forgets entries whose actors never started (nothing to stop or persist). */
    forget(id: string): void {
      live.delete(id);
    },
    /** Stops a live actor without persisting anything more; waiters are released. */
    unload(id: string, entry: Live): void {
      entry.stopping = true;
      entry.actor.stop();
      if (live.get(id) === entry) live.delete(id);
      release(entry);
    },
    /** The actor has no effect in flight: its waiters go on, and a closed negotiation leaves the cache. */
    idle(id: string, entry: Live, closed: boolean): void {
      release(entry);
      if (closed) queueMicrotask(() => evict(id, entry));
    },
    /** Evicts idle actors, least recently used first, down to the cache size. */
    evictIdle(): void {
      if (live.size <= cacheSize) return;
      for (const [id, entry] of live) {
        if (live.size <= cacheSize) break;
        evict(id, entry);
      }
    },
    /** Resolves once the entry's actor has no effect in flight, or after `timeoutMs`. */
    whenSettled(entry: Live, timeoutMs: number): Promise<void> {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          entry.settled.delete(done);
          resolve();
        }
        entry.settled.add(done);
      });
    },
    /** Stops every actor without persisting more. */
    stopAll(): void {
      for (const entry of live.values()) {
        entry.stopping = true;
        entry.actor.stop();
      }
      live.clear();
    },
  };
}

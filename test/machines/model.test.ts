/**
 * Model-based test: @xstate/graph walks the machine breadth-first over every event the outside world can
 * send and every result an effect can produce (computed by the real strategy and gate), and the D2/D3/D6
 * invariants are checked on every transition of the reachable state graph.
 */
import { adjacencyMapToArray, getAdjacencyMap } from '@xstate/graph';
import { expect } from 'chai';
import { domainStateOf, factsOf, type NegotiationEvent, negotiationMachine } from '../../machines/negotiation.ts';
import { DOMAIN_STATES, TERMINAL_STATES } from '../../services/domain.ts';
import { offerLimitCents } from '../../services/strategy.ts';
import {
  type AnyEvent,
  activeEffect,
  CLASSIFICATIONS,
  effectResult,
  emittedBy,
  failed,
  input,
  MAX_ROUNDS,
  reply,
  type Snapshot,
} from './harness.ts';

const by = 'tester';

function events(s: Snapshot): AnyEvent[] {
  const effect = activeEffect(s);
  if (effect === 'classify') return CLASSIFICATIONS.map((c) => effectResult(s, { classification: c }) as AnyEvent);
  // Failures are injected until the first escalation: enough to reach every failure path, and finite.
  const injectFailures = s.context.escalations === 0;
  if (effect === 'compose') {
    return [effectResult(s) as AnyEvent, ...(injectFailures ? [effectResult(s, { badProse: true }) as AnyEvent] : [])];
  }
  if (effect === 'send') return [effectResult(s) as AnyEvent, ...(injectFailures ? [failed('send')] : [])];
  const c = s.context;
  // One reply at a time is enough to reach every queueing situation and keeps the state space finite.
  const controls: AnyEvent[] = [effect ? (effectResult(s) as AnyEvent) : reply(1)].filter(
    (e) => e.type !== 'REPLY' || !c.queue.length,
  );
  const approve = c.approvedCeilingCents == null ? [c.escalation?.suggestedCents].filter((n) => n != null) : [];
  controls.push(
    { type: 'PAUSE', by },
    { type: 'RESUME', by },
    { type: 'STOP', by },
    { type: 'CLAIM', by },
    { type: 'RELEASE', by },
    { type: 'TIMEOUT', at: '2026-01-05T00:00:00.000Z' },
    { type: 'WALK_AWAY', by },
    ...approve.map((rateCents) => ({ type: 'APPROVE', rateCents, by }) as NegotiationEvent),
  );
  return controls.filter((e) => e.type.startsWith('xstate.') || s.can(e as NegotiationEvent));
}

function serialize(s: Snapshot): string {
  const c = s.context;
  return JSON.stringify([
    s.value,
    c.round,
    c.lastOfferCents,
    c.theirAskCents,
    c.agreedCents,
    c.approvedCeilingCents,
    c.queue.length,
    c.humanControlled,
    c.pendingControl,
    c.followUpSent,
    c.draft?.attempt,
    c.draft?.kind,
    c.levers.scenario,
    c.escalation?.trigger,
    c.classification?.intent,
    s.value === 'paused' ? s.historyValue : null, // where a resume goes back to
  ]);
}

/** Fails with a description built only when needed (the walk checks ~130,000 transitions). */
function check(ok: boolean, what: string, edge: () => string) {
  if (!ok) expect.fail(`${what}: ${edge()}`);
}

describe('negotiation machine, model-based', function () {
  this.timeout(120_000);
  const edges = adjacencyMapToArray(
    getAdjacencyMap(negotiationMachine as never, {
      input,
      events: events as never,
      serializeState: serialize as never,
      limit: 500_000,
    }),
  ) as unknown as { state: Snapshot; event: AnyEvent; nextState: Snapshot }[];

  it('reaches every domain state', () => {
    const reached = new Set(edges.map((e) => domainStateOf(e.nextState)));
    expect([...reached].sort()).to.deep.equal([...DOMAIN_STATES].sort());
    expect(edges.length).to.be.greaterThan(10_000);
  });

  it('keeps the money and control invariants on every transition', () => {
    for (const { state: p, event, nextState: s } of edges) {
      const before = p.context;
      const c = s.context;
      const edge = () => `${serialize(p)} --${event.type}--> ${serialize(s)}`;
      check(s.status !== 'error', 'actor error', edge);
      check(DOMAIN_STATES.includes(domainStateOf(s)), 'unknown domain state', edge);
      const offered = c.lastOfferCents !== before.lastOfferCents;
      // D3.3: our offers never go down.
      check(before.lastOfferCents == null || (c.lastOfferCents ?? 0) >= before.lastOfferCents, 'offer went down', edge);
      // D3.2: we never offer more than they asked.
      check(
        !offered || before.theirAskCents == null || (c.lastOfferCents ?? 0) <= before.theirAskCents,
        'offer above the ask',
        edge,
      );
      // D3.3: never above the ceiling/max cost without a human approval.
      const limit = Math.max(offerLimitCents(factsOf(before), null), input.openingCents);
      check(
        !offered || c.approvedCeilingCents != null || (c.lastOfferCents ?? 0) <= limit,
        'offer above the limit without approval',
        edge,
      );
      // D2: an agreement is at our last offer, or at an ask within what we may offer.
      if (c.agreedCents != null && before.agreedCents == null) {
        const atOffer = c.agreedCents === before.lastOfferCents;
        const atAsk =
          c.agreedCents === before.theirAskCents && c.agreedCents <= Math.max(limit, before.approvedCeilingCents ?? 0);
        check(atOffer || atAsk, 'agreement at an amount we did not offer', edge);
      }
      // D3.6: at most MAX_ROUNDS automatic counters (an approved counter comes on top).
      check(c.round <= MAX_ROUNDS + (c.approvedCeilingCents == null ? 0 : 1), 'too many rounds', edge);
      // D6: resume returns to the exact state the negotiation was paused from (or starts on a queued reply).
      if (p.value === 'paused' && event.type === 'RESUME' && !c.current) {
        const recorded = Object.values(p.historyValue)[0]?.map((n) => n.id) ?? [];
        check(
          recorded.every((id) => s._nodes.some((n) => n.id === id)),
          'resume did not restore the pre-pause state',
          edge,
        );
      }
      if (TERMINAL_STATES.has(domainStateOf(s))) {
        for (const e of [reply(2), { type: 'PAUSE', by }, { type: 'CLAIM', by }] as NegotiationEvent[]) {
          check(!s.can(e), `terminal state accepts ${e.type}`, edge);
        }
      }
    }
  });

  it('records every email it sends: a send completion emits exactly one email_sent', () => {
    for (const { state, event } of edges) {
      if (event.type !== 'xstate.done.actor.send') continue;
      const sent = emittedBy(state, event).filter((e) => e.entry?.type === 'email_sent');
      expect(sent).to.have.length(1);
    }
  });
});

import { expect } from 'chai';
import { createActor, fromPromise } from 'xstate';
import {
  domainStateOf,
  type NegotiationEvent,
  negotiationMachine,
  nextDeadlineAt,
} from '../../machines/negotiation.ts';
import {
  type AnyEvent,
  answer,
  by,
  classification,
  done,
  effectResult,
  emittedBy,
  failed,
  reply,
  escalatedAt3200,
  opened,
  type Snapshot,
  settle,
  start,
  step,
  value,
} from './harness.ts';

const never = fromPromise(() => new Promise<never>(() => {}));
/** The machine with effects that never finish: a restored actor stays where its snapshot was. */
const idle = negotiationMachine.provide({
  actors: { classify: never, decide: never, compose: never, validate: never, sendEmail: never, notify: never } as never,
});

describe('negotiation machine', () => {
  it('sends the opening offer and waits for a reply', () => {
    const s = opened();
    expect(s.value).to.deep.equal({ active: { awaiting_reply: 'idle' } });
    expect(s.context.lastOfferCents).to.equal(200000);
    expect(s.context.threadId).to.equal('thread-1');
    expect(s.context.emailsSent).to.equal(1);
    expect(domainStateOf(s)).to.equal('awaiting_reply');
  });

  it('records every reply first (D1): timeline and inbox acknowledgement in the REPLY transition itself', () => {
    const s = opened();
    const records = emittedBy(s, reply(1, 'hello'));
    expect(records.map((r) => r.type)).to.include.members(['timeline', 'inbox.taken']);
    expect(records.find((r) => r.type === 'timeline')?.entry?.type).to.equal('email_received');
    const next = step(s, reply(1, 'hello'));
    expect(domainStateOf(next)).to.equal('counter_received');
  });

  it('agrees at our last offer on an acceptance and notifies the team (D2)', () => {
    const s = answer(opened(), 1, classification('accept'));
    expect(domainStateOf(s)).to.equal('agreed');
    expect(s.value).to.deep.equal({ agreed: 'done' });
    expect(s.context.agreedCents).to.equal(200000);
    expect(s.context.emailsSent).to.equal(2); // the confirmation email
  });

  it('an acceptance that names another amount is a counter (D2)', () => {
    const s = answer(opened(), 1, classification('accept', 210000));
    // $2,100 is within 5% of our $2,000: the agent agrees at the ask, never at a model-read amount above it
    expect(s.context.agreedCents).to.equal(210000);
  });

  it('counters within bounds, halfway and in whole dollars', () => {
    const s = answer(opened(), 1, classification('counter', 230000));
    expect(domainStateOf(s)).to.equal('counter_sent');
    expect(s.context.lastOfferCents).to.equal(215000);
    expect(s.context.round).to.equal(1);
    expect(s.context.theirAskCents).to.equal(230000);
  });

  it('rejects without an email', () => {
    const s = answer(opened(), 1, classification('reject'));
    expect(domainStateOf(s)).to.equal('rejected');
    expect(s.context.emailsSent).to.equal(1);
    expect(s.status).to.equal('done');
  });

  it('escalates an ask above the max cost, with figures and a suggested counter', () => {
    let s = step(step(opened(), reply(1)), done('classify', classification('counter', 320000)));
    const records = emittedBy(s, effectResult(s) as AnyEvent); // decide -> escalate
    expect(records.map((r) => r.entry?.type)).to.include('escalation');
    s = step(s, effectResult(s) as AnyEvent);
    expect(s.value).to.deep.equal({ active: { escalated: 'notifying' } });
    s = settle(s);
    expect(domainStateOf(s)).to.equal('escalated');
    expect(s.value).to.deep.equal({ active: { escalated: 'waiting' } });
    expect(s.context.escalation?.trigger).to.equal('max_cost');
    expect(s.context.escalation?.reason).to.contain('$3,200.00');
    expect(s.context.escalation?.suggestedCents).to.equal(260000);
  });

  it('regenerates once after a gate failure, then escalates with the rejected draft (D10)', () => {
    let s = step(opened(), reply(1));
    s = step(s, done('classify', classification('counter', 230000)));
    s = step(s, effectResult(s) as AnyEvent); // decide
    s = step(s, effectResult(s, { badProse: true }) as AnyEvent); // compose #1
    s = step(s, effectResult(s) as AnyEvent); // validate -> fails
    expect(s.value).to.deep.equal({ active: { counter_received: { emailing: 'composing' } } });
    expect(s.context.draft?.attempt).to.equal(2);
    s = step(s, effectResult(s, { badProse: true }) as AnyEvent);
    s = step(s, effectResult(s) as AnyEvent);
    expect(domainStateOf(s)).to.equal('escalated');
    expect(s.context.escalation?.trigger).to.equal('validation');
    expect(s.context.escalation?.draft).to.contain('guarantee');
    expect(s.context.emailsSent).to.equal(1);
  });

  it('escalates when an effect fails for good (e.g. the email cannot be sent)', () => {
    let s = start();
    s = step(s, effectResult(s) as AnyEvent);
    s = step(s, effectResult(s) as AnyEvent);
    s = step(s, failed('send', new Error('smtp down')));
    expect(domainStateOf(s)).to.equal('escalated');
    expect(s.context.escalation?.reason).to.equal('Email could not be sent: smtp down');
  });

  describe('pause, resume, stop (D6)', () => {
    it('resumes to the exact pre-pause state, also after a JSON round trip', () => {
      const s = answer(opened(), 1, classification('counter', 230000));
      const paused = step(s, { type: 'PAUSE', by });
      expect(paused.value).to.equal('paused');
      const json = JSON.stringify(negotiationMachine.getPersistedSnapshot(paused));
      const restored = createActor(idle, { snapshot: JSON.parse(json), input: undefined as never }).getSnapshot();
      const resumed = step(restored as Snapshot, { type: 'RESUME', by });
      expect(resumed.value).to.deep.equal(s.value);
      expect(resumed.context.lastOfferCents).to.equal(215000);
    });

    it('defers pause while an email is being sent, so the send is never lost', () => {
      let s = start();
      s = step(s, effectResult(s) as AnyEvent);
      s = step(s, effectResult(s) as AnyEvent);
      expect(s.value).to.deep.equal({ active: { initial_offer: 'sending' } });
      s = step(s, { type: 'PAUSE', by });
      expect(s.value).to.deep.equal({ active: { initial_offer: 'sending' } });
      expect(s.context.pendingControl).to.equal('pause');
      s = step(s, effectResult(s) as AnyEvent); // the send completes and is recorded
      expect(s.value).to.equal('paused');
      expect(s.context.emailsSent).to.equal(1);
      expect(step(s, { type: 'RESUME', by }).value).to.deep.equal({ active: { awaiting_reply: 'idle' } });
    });

    it('pauses at once while the email is written or waits unsent in the queue; resumed, the same email goes on', () => {
      let s = start();
      expect(s.value).to.deep.equal({ active: { initial_offer: 'composing' } });
      s = step(s, { type: 'PAUSE', by });
      expect(s.value).to.equal('paused');
      s = step(s, { type: 'RESUME', by });
      expect(s.value).to.deep.equal({ active: { initial_offer: 'composing' } });
      s = step(s, effectResult(s) as AnyEvent);
      s = step(s, effectResult(s) as AnyEvent);
      expect(s.value).to.deep.equal({ active: { initial_offer: 'sending' } });
      const draft = s.context.draft;
      s = step(s, { type: 'PAUSE', by, unsent: true }); // the send queue gave the email back
      expect(s.value).to.equal('paused');
      expect(s.context.emailsSent).to.equal(0);
      s = step(s, { type: 'RESUME', by });
      expect(s.value).to.deep.equal({ active: { initial_offer: 'sending' } });
      expect(s.context.draft).to.deep.equal(draft); // the same email, under the same keys
      expect(step(s, { type: 'STOP', by, unsent: true }).value).to.equal('stopped');
    });

    it('stop wins over a deferred pause and is terminal', () => {
      let s = start();
      s = step(s, effectResult(s) as AnyEvent);
      s = step(s, effectResult(s) as AnyEvent);
      s = step(s, { type: 'PAUSE', by });
      s = step(s, { type: 'STOP', by });
      s = settle(s);
      expect(s.value).to.equal('stopped');
      expect(s.status).to.equal('done');
      expect(s.context.emailsSent).to.equal(1);
    });

    it('records replies while paused and processes them on resume', () => {
      let s = step(opened(), { type: 'PAUSE', by });
      s = step(s, reply(1));
      expect(s.value).to.equal('paused');
      expect(s.context.queue).to.have.length(1);
      s = step(s, { type: 'RESUME', by });
      expect(domainStateOf(s)).to.equal('counter_received');
      s = settle(s, { classification: classification('accept') });
      expect(domainStateOf(s)).to.equal('agreed');
    });

    it('refuses pause when paused or terminal, resume when not paused', () => {
      const paused = step(opened(), { type: 'PAUSE', by });
      expect(paused.can({ type: 'PAUSE', by })).to.equal(false);
      expect(opened().can({ type: 'RESUME', by })).to.equal(false);
      const agreed = answer(opened(), 1);
      for (const type of ['PAUSE', 'STOP', 'CLAIM', 'REPLY'] as const) {
        expect(agreed.can({ type, by } as NegotiationEvent), type).to.equal(false);
      }
    });
  });

  describe('human control (D6, D8)', () => {
    it('relays replies without answering while a human has the thread; release hands back', () => {
      let s = step(opened(), { type: 'CLAIM', by });
      expect(s.context.humanControlled).to.equal(true);
      expect(s.can({ type: 'CLAIM', by })).to.equal(false);
      s = settle(step(s, reply(1)));
      expect(domainStateOf(s)).to.equal('awaiting_reply');
      expect(s.context.emailsSent).to.equal(1);
      s = step(s, { type: 'RELEASE', by });
      s = answer(s, 2, classification('counter', 230000));
      expect(domainStateOf(s)).to.equal('counter_sent');
    });

    it('approve resumes an escalation with a counter at the approved amount', () => {
      let s = settle(escalatedAt3200());
      expect(s.can({ type: 'APPROVE', rateCents: 190000, by })).to.equal(false); // below our last offer
      expect(s.can({ type: 'APPROVE', rateCents: 330000, by })).to.equal(false); // above their ask
      s = settle(step(s, { type: 'APPROVE', rateCents: 260000, by }));
      expect(domainStateOf(s)).to.equal('counter_sent');
      expect(s.context.lastOfferCents).to.equal(260000);
      expect(s.context.approvedCeilingCents).to.equal(260000);
      expect(s.context.escalation).to.equal(null);
    });

    it('walk away sends the exit email and rejects', () => {
      const s = settle(step(settle(escalatedAt3200()), { type: 'WALK_AWAY', by }));
      expect(domainStateOf(s)).to.equal('rejected');
      expect(s.context.emailsSent).to.equal(2);
    });

    it('relays replies to an escalated thread instead of answering them (D1)', () => {
      const s = settle(step(settle(escalatedAt3200()), reply(2, 'any news?')));
      expect(s.value).to.deep.equal({ active: { escalated: 'waiting' } });
      expect(s.context.queue).to.have.length(0);
      expect(s.context.emailsSent).to.equal(1);
    });
  });

  describe('follow-up and stale timers (D7)', () => {
    const policy = { followUpAfterMs: 72 * 3600_000, staleAfterMs: 72 * 3600_000 };
    it('follows up once, then goes stale; a reply revives it', () => {
      let s = opened();
      expect(nextDeadlineAt(s, policy)).to.equal(Date.parse('2026-01-01T00:00:00.000Z') + policy.followUpAfterMs);
      s = settle(step(s, { type: 'TIMEOUT', at: '2026-01-04T00:00:00.000Z' }));
      expect(domainStateOf(s)).to.equal('awaiting_reply');
      expect(s.context.followUpSent).to.equal(true);
      expect(s.context.emailsSent).to.equal(2);
      s = settle(step(s, { type: 'TIMEOUT', at: '2026-01-07T00:00:00.000Z' }));
      expect(domainStateOf(s)).to.equal('stale');
      expect(nextDeadlineAt(s, policy)).to.equal(null);
      s = answer(s, 1, classification('counter', 230000));
      expect(domainStateOf(s)).to.equal('counter_sent');
      expect(s.context.followUpSent).to.equal(false);
    });

    it('has no deadline while a human controls the thread', () => {
      expect(nextDeadlineAt(step(opened(), { type: 'CLAIM', by }), policy)).to.equal(null);
    });
  });

  describe('persistence (architecture.md facts 1, 4)', () => {
    /** Snapshots visiting every state node of the machine. */
    function tour(): Snapshot[] {
      const seen: Snapshot[] = [];
      const drain = (s: Snapshot, options: Parameters<typeof effectResult>[1]) => {
        for (let i = 0; i < 40; i++) {
          const e = effectResult(s, options);
          if (!e) break;
          s = step(s, e);
          seen.push(s);
        }
        return s;
      };
      /** Each event, then every effect it starts, recording each snapshot on the way. */
      const walk = (s: Snapshot, events: AnyEvent[], options: Parameters<typeof effectResult>[1] = {}) => {
        seen.push(s);
        s = drain(s, options);
        for (const e of events) {
          s = step(s, e);
          seen.push(s);
          s = drain(s, options);
        }
        return s;
      };
      const a = walk(start(), []);
      walk(a, [reply(1)], { classification: classification('counter', 230000) });
      walk(a, [reply(1)], { classification: classification('accept') });
      walk(a, [reply(1)], { classification: classification('reject') });
      const esc = walk(a, [reply(1)], { classification: classification('counter', 320000) });
      walk(esc, [{ type: 'APPROVE', rateCents: 260000, by }]);
      walk(esc, [{ type: 'WALK_AWAY', by }]);
      walk(esc, [reply(5)]);
      const fu = walk(a, [{ type: 'TIMEOUT', at: 'x' }]);
      walk(fu, [{ type: 'TIMEOUT', at: 'y' }]);
      walk(walk(a, [reply(1)], { classification: classification('counter', 230000) }), [{ type: 'TIMEOUT', at: 'x' }]);
      walk(walk(a, [{ type: 'CLAIM', by }]), [reply(7)]);
      walk(a, [{ type: 'PAUSE', by }, reply(8)]);
      walk(a, [{ type: 'STOP', by }]);
      walk(a, [reply(1)], { classification: classification('counter', 230000), badProse: true });
      walk(
        walk(a, [
          { type: 'TIMEOUT', at: 'x' },
          { type: 'TIMEOUT', at: 'y' },
        ]),
        [{ type: 'CLAIM', by }, reply(9)],
      );
      const countered = walk(a, [reply(1)], { classification: classification('counter', 230000) });
      walk(countered, [{ type: 'CLAIM', by }, reply(10)]);
      return seen;
    }

    function leafIds(): Set<string> {
      const ids = new Set<string>();
      const visit = (node: { id: string; type: string; states: Record<string, unknown> }) => {
        const children = Object.values(node.states) as (typeof node)[];
        if (node.type === 'history') return;
        if (!children.length) ids.add(node.id);
        for (const child of children) visit(child);
      };
      visit(negotiationMachine.root as never);
      return ids;
    }

    it('round-trips a snapshot through JSON in every state, and the restored actor continues', () => {
      const visited = new Set<string>();
      for (const s of tour()) {
        for (const node of s._nodes) visited.add(node.id);
        const json = JSON.stringify(negotiationMachine.getPersistedSnapshot(s));
        const actor = createActor(idle, { snapshot: JSON.parse(json), input: undefined as never }).start();
        const restored = actor.getSnapshot();
        expect(restored.value, json).to.deep.equal(s.value);
        expect(restored.context).to.deep.equal(s.context);
        expect(JSON.stringify(actor.getPersistedSnapshot())).to.equal(json); // nothing dropped (fact 4)
        for (const e of [
          { type: 'PAUSE', by },
          { type: 'STOP', by },
          { type: 'RESUME', by },
          reply(99),
        ] as NegotiationEvent[]) {
          expect(restored.can(e), `${value(s)} ${e.type}`).to.equal(s.can(e));
        }
        actor.stop();
      }
      // `routing` and an email chain's final `sent` only decide where to go inside one macrostep: never resting states.
      const transient = (id: string) => id.endsWith('.routing') || id.endsWith('.sent');
      const missing = [...leafIds()].filter((id) => !visited.has(id) && !transient(id));
      expect(missing, 'state nodes never visited').to.deep.equal([]);
    });

    it('keeps an in-flight effect in the snapshot so it runs again after a restore (fact 1)', () => {
      let s = start();
      s = step(s, effectResult(s) as AnyEvent);
      s = step(s, effectResult(s) as AnyEvent);
      const persisted = JSON.parse(JSON.stringify(negotiationMachine.getPersistedSnapshot(s)));
      expect(Object.keys(persisted.children)).to.deep.equal(['send']);
      let runs = 0;
      const counting = negotiationMachine.provide({
        actors: {
          sendEmail: fromPromise(async () => {
            runs++;
            return new Promise<never>(() => {});
          }),
        } as never,
      });
      createActor(counting, { snapshot: persisted, input: undefined as never })
        .start()
        .stop();
      expect(runs).to.equal(1);
    });
  });
});

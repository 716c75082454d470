import { expect } from 'chai';
import { createActor, fromPromise } from 'xstate';
import {
  approvalRefusal,
  domainStateOf,
  type NegotiationEvent,
  negotiationMachine,
  nextDeadlineAt,
} from '../../machines/negotiation.ts';
import {
  type AnyEvent,
  classification,
  done,
  effectResult,
  emittedBy,
  failed,
  reply,
  type Snapshot,
  settle,
  start,
  step,
} from './harness.ts';

const by = 'tester';
const value = (s: Snapshot) => JSON.stringify(s.value);

/** Sends a reply and lets the machine decide it with the given classification. */
function answer(s: Snapshot, n: number, c = classification('accept'), options: Parameters<typeof settle>[1] = {}) {
  return settle(step(s, reply(n)), { classification: c, ...options });
}

function opened(): Snapshot {
  return settle(start());
}

function escalatedAt3200(): Snapshot {
  return answer(opened(), 1, classification('counter', 320000));
}

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

    it('stop wins over a deferred pause and is terminal', () => {
      let s = start();
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
      // `routing` only decides where to go inside one macrostep: it is never a resting state.
      const missing = [...leafIds()].filter((id) => !visited.has(id) && !id.endsWith('.routing'));
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

describe('escalated negotiations keep reading replies (D16)', () => {
  /** A reply to the escalated thread, its classify done event with `c`, then every effect up to the next wait. */
  function readAt(s: Snapshot, n: number, c: ReturnType<typeof classification>) {
    let t = step(s, reply(n, 'new words'));
    expect(t.value).to.deep.equal({ active: { escalated: 'reading' } });
    expect(t.hasTag('busy'), 'restored at boot while reading').to.equal(true);
    expect(Object.keys(t.children)).to.deep.equal(['classify']);
    expect((t.children.classify as unknown as { options: { input: unknown } }).options.input).to.deep.equal({
      key: `neg-test:classify:<r${n}@x>`,
      negotiationId: 'neg-test',
      text: 'new words',
      influencerName: 'Maya Lopez',
      lastOfferCents: 200000,
      quoted: null,
      uncertain: false,
      package: '1 Instagram Reel, 2 Instagram Stories',
      averageViews: 80000,
    });
    t = step(t, done('classify', c));
    expect(t.value).to.deep.equal({ active: { escalated: 'relaying' } });
    return settle(t);
  }

  it('a lower ask replaces theirs and the suggestion; nothing is sent; approval above it is refused', () => {
    let s = settle(escalatedAt3200());
    expect(s.context.escalation).to.include({ seq: 1, askCents: 320000, suggestedCents: 260000 });
    s = readAt(s, 2, classification('counter', 220000));
    expect(s.value).to.deep.equal({ active: { escalated: 'waiting' } });
    expect(s.context.theirAskCents).to.equal(220000);
    expect(s.context.escalation).to.include({ seq: 1, askCents: 220000, suggestedCents: 210000 });
    expect(s.context.emailsSent).to.equal(1);
    expect(s.can({ type: 'APPROVE', rateCents: 280000, by })).to.equal(false);
    expect(s.can({ type: 'APPROVE', rateCents: 220000, by })).to.equal(true);
    s = settle(step(s, { type: 'APPROVE', rateCents: 210000, by }));
    expect([domainStateOf(s), s.context.lastOfferCents, s.context.round]).to.deep.equal(['counter_sent', 210000, 1]);
  });

  it('the relay carries the reading and the updated escalation to Slack (thread post and message update)', () => {
    const s = step(step(settle(escalatedAt3200()), reply(2, 'x')), done('classify', classification('counter', 240000)));
    const input = (s.children.notify as unknown as { options: { input: Record<string, unknown> } }).options.input;
    expect(input).to.deep.include({ kind: 'reply', theirAskCents: 240000 });
    expect(input.classification).to.include({ askCents: 240000 });
    expect(input.escalation).to.include({ seq: 1, askCents: 240000, suggestedCents: 220000, slackTs: '1.000001' });
  });

  it('an acceptance caps approvals at our standing offer; an unclear reply or a failed reading keeps the ask', () => {
    let s = readAt(settle(escalatedAt3200()), 2, classification('question'));
    expect(s.context.escalation).to.include({ askCents: 320000, suggestedCents: 260000 });
    s = step(step(s, reply(3)), failed('classify'));
    expect(s.value).to.deep.equal({ active: { escalated: 'relaying' } });
    s = settle(s);
    expect(s.context.escalation).to.include({ askCents: 320000 });
    s = readAt(s, 4, classification('accept'));
    expect(s.context.escalation).to.include({ askCents: 200000, suggestedCents: 200000 });
    expect(s.can({ type: 'APPROVE', rateCents: 200100, by })).to.equal(false);
  });

  it('an ask below our offer leaves nothing to approve (no suggested counter)', () => {
    const s = readAt(settle(escalatedAt3200()), 2, classification('counter', 180000));
    expect(s.context.escalation).to.include({ askCents: 180000, suggestedCents: null });
    expect(s.can({ type: 'APPROVE', rateCents: 180000, by })).to.equal(false);
    expect(s.can({ type: 'APPROVE', rateCents: 200000, by })).to.equal(false);
  });

  it('takes no decision while a reply is read or relayed', () => {
    const reading = step(settle(escalatedAt3200()), reply(2));
    expect(reading.can({ type: 'APPROVE', rateCents: 250000, by })).to.equal(false);
    expect(reading.can({ type: 'WALK_AWAY', by })).to.equal(false);
    const relaying = step(reading, done('classify', classification('counter', 300000)));
    expect(relaying.can({ type: 'APPROVE', rateCents: 250000, by })).to.equal(false);
    expect(settle(relaying).can({ type: 'APPROVE', rateCents: 250000, by })).to.equal(true);
  });

  it('defers pause and stop that arrive while a reply is read', () => {
    let s = step(step(settle(escalatedAt3200()), reply(2)), { type: 'PAUSE', by });
    expect(s.context.pendingControl).to.equal('pause');
    s = settle(step(s, done('classify', classification('counter', 250000))));
    expect(s.value).to.equal('paused');
    expect(s.context.escalation).to.include({ askCents: 250000 });
    s = step(s, { type: 'RESUME', by });
    expect(s.value).to.deep.equal({ active: { escalated: 'waiting' } });
    s = settle(step(step(step(s, reply(3)), { type: 'STOP', by }), done('classify', classification('question'))));
    expect(s.value).to.equal('stopped');
  });

  it("relays a stranger's reply without reading it: an amount a teammate writes is not their ask", () => {
    const teammate: NegotiationEvent = {
      type: 'REPLY',
      reply: {
        messageId: '<t@x>',
        from: 'sam@agency.example',
        subject: 'Re',
        text: 'We could go to $3,000',
        receivedAt: 'x',
      },
    };
    const t = step(settle(escalatedAt3200()), teammate);
    expect(t.value).to.deep.equal({ active: { escalated: 'relaying' } });
    const s = settle(t);
    expect([s.context.humanControlled, s.context.theirAskCents]).to.deep.equal([true, 320000]);
  });

  it('numbers escalations: a second one gets the next number', () => {
    let s = settle(step(settle(escalatedAt3200()), { type: 'APPROVE', rateCents: 260000, by }));
    expect(s.context.escalation).to.equal(null);
    s = answer(s, 5, classification('counter', 290000, { triggers: [{ kind: 'legal', evidence: 'contract' }] }));
    expect(domainStateOf(s)).to.equal('escalated');
    expect(s.context.escalations).to.equal(2);
    expect(s.context.escalation?.seq).to.equal(2);
  });
});

describe('approvalRefusal: the one approval rule (D3.2, D3.3, D8)', () => {
  const c = { lastOfferCents: 200000, openingCents: 150000, theirAskCents: 260000 };
  it('accepts from our last offer up to their latest ask', () => {
    for (const rate of [200000, 230000, 260000]) expect(approvalRefusal(c, rate), String(rate)).to.equal(null);
  });
  it('refuses below our offer (the opening offer before any was sent), above their ask, and non-amounts', () => {
    expect(approvalRefusal(c, 199999)?.code).to.equal('rate_below_last_offer');
    expect(approvalRefusal({ ...c, lastOfferCents: null }, 149999)?.message).to.equal(
      'Our offers never go down: approve at least $1,500.00 (our opening offer)',
    );
    expect(approvalRefusal({ ...c, lastOfferCents: null }, 150000)).to.equal(null);
    expect(approvalRefusal(c, 260001)).to.deep.equal({
      code: 'rate_above_ask',
      message: 'Their latest ask is $2,600.00; an approval cannot exceed it',
    });
    expect(approvalRefusal({ ...c, theirAskCents: null }, 900000)).to.equal(null);
    for (const rate of [0, -5, 2000.5, Number.NaN, 2 ** 60])
      expect(approvalRefusal(c, rate)?.code).to.equal('invalid_rate');
  });
});

describe('who is writing (D6, domain.md §4)', () => {
  const managerReply = (text: string, from = 'Jordan Lee <jordan@brightmgmt.com>'): NegotiationEvent => ({
    type: 'REPLY',
    reply: { messageId: '<mgr@x>', from, subject: 'Re', text, receivedAt: '2026-01-02T00:00:00.000Z' },
  });

  it("admits a manager who says whom they represent, answers and greets them, and keeps the deal the influencer's", () => {
    let s = step(
      opened(),
      managerReply('I manage Maya at Bright Management. Could we do $2,200?\n\nBest,\nJordan Lee'),
    );
    expect(s.context.humanControlled).to.equal(false);
    expect(s.context.contacts).to.deep.include({ agencyName: 'Bright Management', agencyDomain: 'brightmgmt.com' });
    expect(s.context.replyTo).to.equal('jordan@brightmgmt.com');
    s = step(s, done('classify', classification('counter', 220000)));
    s = step(s, effectResult(s) as AnyEvent); // decide
    const compose = (s.children.compose as unknown as { options: { input: Record<string, unknown> } }).options.input;
    expect(compose).to.deep.include({ influencerName: 'Jordan' });
    expect(compose.counterparty).to.deep.equal({ type: 'talent_manager', agencyName: 'Bright Management' });
    s = settle(s);
    expect(s.context.influencer.email).to.equal('maya@gmail.com');
    expect(s.context.emailsSent).to.equal(2);
  });

  it('greets "there" when the manager gave no name, and the influencer again when she writes', () => {
    let s = answer(opened(), 1, classification('counter', 230000), {});
    s = step(s, managerReply("Maya's manager here, any update?", 'ops@brightmgmt.com'));
    expect(s.context.humanControlled).to.equal(false);
    s = step(s, done('classify', classification('question')));
    s = step(s, effectResult(s) as AnyEvent); // decide: answer the question
    const compose = s.children.compose as unknown as { options: { input: { influencerName: string } } };
    expect(compose.options.input.influencerName).to.equal('there');
    s = settle(step(settle(s), reply(3)), { classification: classification('question') });
    expect(s.context.replyTo).to.equal('maya@gmail.com');
  });
});

/**
 * Replies the machine reads without answering: while escalated (D16, read and relayed with their ask) and from
 * a counterparty it has to place (D6, a manager writing for the influencer).
 */
import { expect } from 'chai';
import { domainStateOf, type NegotiationEvent } from '../../machines/negotiation.ts';
import {
  type AnyEvent,
  answer,
  by,
  classification,
  done,
  effectResult,
  escalatedAt3200,
  failed,
  opened,
  reply,
  type Snapshot,
  settle,
  step,
} from './harness.ts';

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

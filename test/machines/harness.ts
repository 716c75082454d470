/**
 * Drives the negotiation machine purely (xstate `transition`): effects never run; the test feeds their done
 * events, computed by the REAL pure services (strategy, gate), so paths exercise the real decisions.
 */
import { initialTransition, transition } from 'xstate';
import {
  emailText,
  factsOf,
  type NegotiationEvent,
  type NegotiationInput,
  negotiationMachine,
} from '../../machines/negotiation.ts';
import type { Terms } from '../../services/domain.ts';
import { validateEmail } from '../../services/gate.ts';
import type { Classification } from '../../services/model/port.ts';
import { formatUsd } from '../../services/money.ts';
import { decide } from '../../services/strategy.ts';

export type Snapshot = ReturnType<typeof initialTransition<typeof negotiationMachine>>[0];
export type AnyEvent = NegotiationEvent | { type: string; output?: unknown; error?: unknown };

export const MAX_ROUNDS = 3;

export const terms: Terms = {
  campaignId: 'cmp-1',
  client: 'Glow Skincare',
  platform: 'instagram',
  deliverables: '1 Instagram Reel, 2 Instagram Stories',
  floorCpmCents: 2500,
  ceilingCpmCents: 3000,
  paymentTerms: 'within 30 days of content going live',
  levers: {
    scenarios: ['1 Instagram Reel, 2 Instagram Stories', '1 Instagram Reel, 1 Instagram Story'],
    usageRights: null,
    product: null,
    contentSyndication: false,
    minCostCents: 100000,
    maxCostCents: 230000,
    cpmTargetCents: null,
  },
};

export const input: NegotiationInput = {
  id: 'neg-test',
  influencer: {
    name: 'Maya Lopez',
    email: 'maya@gmail.com',
    platform: 'instagram',
    handle: '@maya',
    averageViews: 80000,
    engagementRate: null,
    agency: null,
  },
  terms,
  openingCents: 200000,
  agentEmail: 'deals@agency.example',
  startedAt: '2026-03-01T09:00:00.000Z',
};

export function start(): Snapshot {
  return initialTransition(negotiationMachine, input)[0];
}

export function step(snapshot: Snapshot, event: AnyEvent): Snapshot {
  return transition(negotiationMachine, snapshot, event as NegotiationEvent)[0];
}

/** Emitted records of a transition (timeline entries, journal requests, inbox acknowledgements). */
export function emittedBy(snapshot: Snapshot, event: AnyEvent) {
  const [, actions] = transition(negotiationMachine, snapshot, event as NegotiationEvent);
  return (actions as { type: string; params?: unknown }[])
    .filter((a) => a.type === 'xstate.emit')
    .map((a) => (a.params as { event: { type: string; entry?: Record<string, unknown> & { type: string } } }).event);
}

export const done = (id: string, output: unknown): AnyEvent => ({ type: `xstate.done.actor.${id}`, output });
export const failed = (id: string, error = new Error('boom')): AnyEvent => ({
  type: `xstate.error.actor.${id}`,
  error,
});

export const reply = (n: number, text = 'reply'): NegotiationEvent => ({
  type: 'REPLY',
  reply: {
    messageId: `<r${n}@x>`,
    from: 'maya@gmail.com',
    subject: 'Re',
    text,
    receivedAt: '2026-01-01T00:00:00.000Z',
  },
});

export const classification = (
  intent: Classification['intent'],
  askCents: number | null = null,
  extra: Partial<Classification> = {},
): Classification => ({
  intent,
  askCents,
  confidence: 0.9,
  triggers: [],
  summary: '',
  ...extra,
});

/** The scripted replies a model-based walk may receive, as classifier outputs. */
export const CLASSIFICATIONS: Classification[] = [
  classification('accept'),
  classification('counter', 210000), // within 5% of a $2,000 offer
  classification('counter', 230000), // within bounds
  classification('counter', 320000), // above the limit
  classification('counter', 150000), // below our offer
  classification('reject'),
  classification('question'),
  classification('question', null, { confidence: 0.55 }),
  classification('counter', 240000, { triggers: [{ kind: 'legal', evidence: 'my lawyer will review' }] }),
];

/** The invoke currently waiting for a done event, if any. */
export function activeEffect(snapshot: Snapshot): string | null {
  const ids = Object.keys(snapshot.children);
  return ids[0] ?? null;
}

/** The done event the real services would produce for the active effect (classification supplied for classify). */
export function effectResult(
  snapshot: Snapshot,
  options: { classification?: Classification; badProse?: boolean; emails?: number } = {},
): AnyEvent | null {
  const c = snapshot.context;
  switch (activeEffect(snapshot)) {
    case 'classify':
      return done('classify', options.classification ?? classification('accept'));
    case 'decide':
      return done(
        'decide',
        decide({
          facts: factsOf(c),
          classification: c.classification as Classification,
          tracker: null,
          maxRounds: MAX_ROUNDS,
        }),
      );
    case 'compose': {
      const d = c.draft;
      if (!d) return null;
      const sow = d.kind === 'exit' ? '' : '\n\n{{SOW}}\n\n';
      const prose = options.badProse
        ? `We guarantee results for ${formatUsd(d.rateCents + 100)}.${sow}`
        : `Hi Maya, thank you for your time. We would like to offer ${formatUsd(d.rateCents)} for this partnership.${sow}Warm wishes and many thanks from all of us, payment is processed after posting.`;
      return done('compose', { prose });
    }
    case 'validate': {
      const d = c.draft;
      if (!d?.prose) return null;
      return done(
        'validate',
        validateEmail({
          prose: d.prose,
          allowedCents: [d.rateCents, ...d.extraAllowedCents],
          requireSow: d.kind !== 'exit',
          agreement: d.kind === 'confirmation',
          forbiddenPhrases: [],
        }),
      );
    }
    case 'send': {
      const n = options.emails ?? c.emailsSent;
      if (c.draft) emailText(c.draft); // the real email text must build for every draft
      return done('send', {
        messageId: `<m${n}@agent>`,
        threadId: c.threadId ?? 'thread-1',
        sentAt: '2026-01-01T00:00:00.000Z',
      });
    }
    case 'notify':
      return done('notify', { ts: '1.000001' });
    default:
      return null;
  }
}

/** Feeds effect results until the machine waits for the outside world (or `limit` steps). */
export function settle(snapshot: Snapshot, options: Parameters<typeof effectResult>[1] = {}, limit = 50): Snapshot {
  let s = snapshot;
  for (let i = 0; i < limit; i++) {
    const event = effectResult(s, options);
    if (!event) return s;
    s = step(s, event);
  }
  throw new Error('machine did not settle');
}

export const by = 'tester';
export const value = (s: Snapshot) => JSON.stringify(s.value);

/** Sends a reply and lets the machine decide it with the given classification. */
export function answer(
  s: Snapshot,
  n: number,
  c = classification('accept'),
  options: Parameters<typeof settle>[1] = {},
) {
  return settle(step(s, reply(n)), { classification: c, ...options });
}

/** The opening offer sent: waiting for the first reply. */
export function opened(): Snapshot {
  return settle(start());
}

/** Escalated by a counter of $3,200, above what we may offer. */
export function escalatedAt3200(): Snapshot {
  return answer(opened(), 1, classification('counter', 320000));
}

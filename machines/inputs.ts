/**
 * What the machine asks of each effect (their inputs and idempotency keys) and the drafts its emails start from.
 * Pure functions of the context; the chart (machines/negotiation.ts) and its actions call them.
 *
 * The keys are stored in the effect journal and in persisted snapshots: changing one makes a restored effect
 * run again instead of finding its completed record (architecture.md, fact 1).
 */
import { addressOf } from '../services/addresses.ts';
import { contactName, newContactBook } from '../services/counterparty.ts';
import { INITIAL_LEVER_STATE } from '../services/levers.ts';
import type { Classification, EmailKind } from '../services/model/port.ts';
import type { Cents } from '../services/money.ts';
import { emailHtml as sowEmailHtml, insertSow, type SowInput, sowBlock } from '../services/sow.ts';
import type { EmailPlan, NegotiationFacts } from '../services/strategy.ts';
import type {
  ClassifyInput,
  ComposeActorInput,
  Draft,
  NegotiationContext,
  NegotiationInput,
  NotifyInput,
  NotifyKind,
  Reply,
  SendEmailInput,
  ValidateInput,
} from './contracts.ts';

type Ctx = NegotiationContext;

/** A new negotiation: nothing sent yet, the influencer the only contact. */
export function initialContext(input: NegotiationInput): NegotiationContext {
  return {
    id: input.id,
    influencer: input.influencer,
    terms: input.terms,
    openingCents: input.openingCents,
    threadId: null,
    subject: `Collaboration Opportunity - ${input.terms.client}`,
    references: [],
    lastOfferCents: null,
    theirAskCents: null,
    agreedCents: null,
    approvedCeilingCents: null,
    round: 0,
    emailsSent: 0,
    drafts: 0,
    escalations: 0,
    deliverables: input.terms.deliverables,
    usageRights: null,
    levers: INITIAL_LEVER_STATE,
    leversUsed: 0,
    humanControlled: false,
    controlledBy: null,
    queue: [],
    current: null,
    classification: null,
    decision: null,
    draft: null,
    escalation: null,
    pendingControl: null,
    lastOutboundAt: null,
    followUpSent: false,
    contacts: newContactBook(input.influencer.email, input.influencer.name, input.startedAt),
    replyTo: input.influencer.email,
    agentEmail: input.agentEmail,
  };
}

/** The draft of the email chain under way. Only states inside an email chain ask, and they always hold one. */
export function draftOf(c: Ctx): Draft {
  if (!c.draft) throw new Error(`negotiation ${c.id}: no draft while an email is being prepared`);
  return c.draft;
}

/** The reply being read. Only states that read a reply ask, and they always hold one. */
function currentReply(c: Ctx): Reply {
  if (!c.current) throw new Error(`negotiation ${c.id}: no reply while one is being read`);
  return c.current;
}

/** How the reply being decided was read. Only `deciding` asks, after `classifying` stored it. */
export function classificationOf(c: Ctx): Classification {
  if (!c.classification) throw new Error(`negotiation ${c.id}: deciding a reply that was not read`);
  return c.classification;
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
/** Who wrote it shows in the signature too (titles, "on behalf of"). */
export const withSignature = (r: Reply) => (r.signature ? `${r.text}\n${r.signature}` : r.text);
const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? name;

// ---- idempotency keys (stored in the effect journal) ----
export const classifyKey = (c: Ctx) => `${c.id}:classify:${currentReply(c).messageId}`;
export const escalationKey = (c: Ctx) => `${c.id}:notify:escalation:${c.escalations}`;
export const staleKey = (c: Ctx) => `${c.id}:notify:stale:${c.emailsSent}`;
export const agreementKey = (c: Ctx) => `${c.id}:notify:agreement`;
export const relayKey = (c: Ctx) => `${c.id}:notify:reply:${c.current?.messageId}`;
export const composeKey = (c: Ctx) => `${c.id}:compose:${draftOf(c).seq}:${draftOf(c).attempt}`;
export const sendKey = (c: Ctx) => `${c.id}:send:${draftOf(c).seq}`;
/** A new negotiation's opening email is its first draft: the send queue holds its place before it is composed. */
export const openingSendKey = (negotiationId: string) => `${negotiationId}:send:1`;
export const subjectOf = (c: Ctx) => (c.threadId ? `Re: ${c.subject}` : c.subject);

/** Whom our next email greets: the person it goes to (the influencer, or their manager who wrote, D6). */
function greetingName(c: Ctx): string {
  const known = contactName(c.contacts, c.replyTo);
  if (known) return known;
  return c.replyTo.toLowerCase() === addressOf(c.influencer.email) ? c.influencer.name : 'there';
}

export function newDraft(c: Ctx, plan: EmailPlan): Draft {
  return { ...plan, seq: c.drafts + 1, attempt: 1, theirAskCents: c.theirAskCents, prose: null, failures: [] };
}

/** The plan of an email the machine writes itself (outreach, follow-up, an approved counter, an exit). */
export function planOf(c: Ctx, kind: EmailKind, rateCents: Cents): EmailPlan {
  return {
    kind,
    rateCents,
    deliverables: c.deliverables,
    usageRights: c.usageRights,
    instructions: null,
    extraAllowedCents: [],
    levers: c.levers,
    leversUsed: c.leversUsed,
  };
}

export function factsOf(c: Ctx): NegotiationFacts {
  return {
    influencer: c.influencer,
    terms: c.terms,
    lastOfferCents: c.lastOfferCents,
    round: c.round,
    deliverables: c.deliverables,
    usageRights: c.usageRights,
    levers: c.levers,
    leversUsed: c.leversUsed,
    approvedCeilingCents: c.approvedCeilingCents,
  };
}

const sowOf = (d: Draft): SowInput | null =>
  d.kind === 'exit'
    ? null
    : {
        deliverables: d.deliverables,
        usageRights: d.usageRights,
        rateCents: d.rateCents,
        theirAskCents: d.kind === 'confirmation' ? null : d.theirAskCents,
      };

/** The full email text: the checked prose with the deterministic scope-of-work block inserted (D10). */
export function emailText(d: Draft): string {
  const sow = sowOf(d);
  return sow ? insertSow(d.prose ?? '', sowBlock(sow)) : (d.prose ?? '');
}

/** The same email as HTML, the scope-of-work block with their ask struck through (D19). */
export function emailHtml(d: Draft): string {
  return sowEmailHtml(d.prose ?? '', sowOf(d));
}

export function notifyInput(c: Ctx, kind: NotifyKind, key: string, reply: Reply | null = null): NotifyInput {
  return {
    key,
    kind,
    negotiationId: c.id,
    influencer: c.influencer,
    terms: c.terms,
    lastOfferCents: c.lastOfferCents,
    theirAskCents: c.theirAskCents,
    agreedCents: c.agreedCents,
    deliverables: c.deliverables,
    escalation: c.escalation,
    reply,
    classification: kind === 'reply' ? c.classification : null,
    controlledBy: c.humanControlled ? (c.controlledBy ?? 'a teammate') : null,
  };
}

/** The classify effect's input for the reply being decided or read: one builder for every state that reads. */
export function classifyInput(c: Ctx): ClassifyInput {
  const reply = currentReply(c);
  return {
    key: classifyKey(c),
    negotiationId: c.id,
    text: reply.text,
    influencerName: c.influencer.name,
    lastOfferCents: c.lastOfferCents,
    quoted: reply.quoted ?? null,
    uncertain: reply.uncertain === true,
    package: c.deliverables,
    averageViews: c.influencer.averageViews,
  };
}

export function composeInput(c: Ctx): ComposeActorInput {
  const d = draftOf(c);
  return {
    key: composeKey(c),
    negotiationId: c.id,
    kind: d.kind,
    influencerName: firstName(greetingName(c)),
    client: c.terms.client,
    platform: c.terms.platform,
    rateCents: d.rateCents,
    theirAskCents: d.theirAskCents,
    deliverables: d.deliverables,
    instructions: d.instructions,
    extraAllowedCents: d.extraAllowedCents,
    paymentTerms: c.terms.paymentTerms,
    attempt: d.attempt,
    counterparty: { type: c.contacts.primaryType, agencyName: c.contacts.agencyName },
    theirMessage: c.classification?.summary ?? null,
    rejectedBecause: d.attempt > 1 ? d.failures.filter((f) => f.severity === 'error').map((f) => f.detail) : [],
  };
}

export function validateInput(c: Ctx): ValidateInput {
  const d = draftOf(c);
  return {
    prose: d.prose ?? '',
    allowedCents: [d.rateCents, ...d.extraAllowedCents],
    requireSow: d.kind !== 'exit',
    agreement: d.kind === 'confirmation',
  };
}

export function sendInput(c: Ctx): SendEmailInput {
  const d = draftOf(c);
  return {
    key: sendKey(c),
    negotiationId: c.id,
    to: c.replyTo,
    subject: subjectOf(c),
    text: emailText(d),
    html: emailHtml(d),
    threadId: c.threadId,
    inReplyTo: c.references.at(-1) ?? null,
    references: c.references,
  };
}

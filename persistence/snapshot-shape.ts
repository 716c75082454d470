/**
 * The shape a stored negotiation context must have before the machine is trusted with it (decisions D18): every
 * field of NegotiationContext present with the right kind, and the fields the store derives its columns from
 * checked one level deeper. The `satisfies` below makes the type checker name any field the machine adds or
 * drops, so this list cannot silently fall behind the machine.
 */
import { z } from 'zod';
import type { NegotiationContext } from '../machines/negotiation.ts';

const text = z.string();
const count = z.number().int().nonnegative();
const cents = z.number().int();
const object = z.looseObject({});
const list = z.array(z.unknown());

const CONTEXT_FIELDS = {
  id: text,
  influencer: z.looseObject({ name: text, email: text, platform: text, averageViews: z.number() }),
  terms: z.looseObject({ campaignId: text, client: text, floorCpmCents: cents, ceilingCpmCents: cents }),
  openingCents: cents,
  threadId: text.nullable(),
  subject: text,
  references: list,
  lastOfferCents: cents.nullable(),
  theirAskCents: cents.nullable(),
  agreedCents: cents.nullable(),
  approvedCeilingCents: cents.nullable(),
  round: count,
  emailsSent: count,
  drafts: count,
  escalations: count,
  deliverables: text,
  usageRights: text.nullable(),
  levers: object,
  leversUsed: count,
  humanControlled: z.boolean(),
  controlledBy: text.nullable(),
  queue: list,
  current: object.nullable(),
  classification: object.nullable(),
  decision: object.nullable(),
  draft: object.nullable(),
  escalation: object.nullable(),
  pendingControl: z.enum(['pause', 'stop']).nullable(),
  lastOutboundAt: text.nullable(),
  followUpSent: z.boolean(),
  contacts: object,
  replyTo: text,
  agentEmail: text,
} satisfies Record<keyof NegotiationContext, z.ZodType>;

const CONTEXT = z.looseObject(CONTEXT_FIELDS);

/** What is wrong with a stored context, in words naming the fields; null when it has the machine's shape. */
export function contextProblem(context: unknown): string | null {
  const result = CONTEXT.safeParse(context);
  if (result.success) return null;
  return result.error.issues
    .slice(0, 3)
    .map((issue) => `${['context', ...issue.path].join('.')}: ${issue.message}`)
    .join('; ');
}

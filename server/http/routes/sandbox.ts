/** Sandbox stand-ins (api.md): the local mailbox, the Slack stand-in and its buttons, and the clock. */
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { z } from 'zod';
import type { Queries } from '../../../persistence/queries.ts';
import type { SandboxSlack } from '../../../services/chat/sandbox.ts';
import { addressOf } from '../../../services/mail/port.ts';
import { parseRawEmail } from '../../../services/mail/parse.ts';
import type { SandboxMailbox } from '../../../services/mail/sandbox.ts';
import { moneyInput } from '../../../services/money.ts';
import type { AppState } from '../app.ts';
import type { Commands } from '../../runtime/commands.ts';
import { HttpError } from '../errors.ts';
import { parseInput } from '../validate.ts';

const MAX_MAIL_CHARS = 2_000_000; // the request body limit (BODY_LIMIT_BYTES) usually binds first
const address = z
  .string()
  .trim()
  .min(3)
  .max(320)
  .refine((v) => /^[^\s@<>]+@[^\s@<>]+$/.test(addressOf(v)), 'not an email address');
const threadId = z.string().trim().min(1).max(200);
// `text` is the body exactly as the sender's mail client wrote it; `raw` a whole RFC 5322 message (api.md).
const inboundText = z.strictObject({
  from: address,
  threadId,
  text: z.string().min(1).max(MAX_MAIL_CHARS),
  subject: z.string().max(1000).optional(),
  messageId: z.string().trim().min(1).max(500).optional(),
});
const inboundRaw = z.strictObject({ raw: z.string().min(1).max(MAX_MAIL_CHARS), threadId: threadId.optional() });
export const inboundMail = z.union([inboundText, inboundRaw]);
export const slackAction = z.strictObject({
  action: z.enum(['approve', 'walk_away', 'take_over', 'resume']),
  negotiationId: z.string().min(1).max(128),
  user: z.string().trim().min(1).max(200),
  rate: z.union([z.string().max(40), z.number()]).optional(),
  /** The escalation the clicked button was posted for (D19), as a Slack button carries it; optional. */
  escalation: z.coerce.number().int().min(1).max(1_000_000_000).optional(),
});
export const sandboxMailQuery = z.object({
  to: z.string().max(320).optional(),
  thread: z.string().max(200).optional(),
});
export const clockBody = z.strictObject({
  advanceHours: z
    .number()
    .positive()
    .max(24 * 3650),
});

export function sandboxRouter(deps: {
  /** null when real mail (Gmail) is configured: the mail stand-in routes are then absent. */
  mailbox: SandboxMailbox | null;
  /** null when real Slack is configured: the Slack stand-in routes are then absent. */
  slack: SandboxSlack | null;
  queries: Queries;
  commands: Commands;
  agentEmail: string;
  /** Stores new mail in the inbox (then it may be acknowledged) and returns a function that hands it to the actors. */
  receiveMail(negotiationId: string): Promise<() => void>;
  advanceClock(hours: number): { offsetHours: number; now: string };
}) {
  const router = new Router<AppState>({ prefix: '/sandbox', sensitive: true });

  const mailbox = deps.mailbox;
  if (mailbox) {
    router.get('/mail', (ctx) => {
      const { to, thread: threadId } = parseInput(sandboxMailQuery, ctx.query);
      ctx.body = mailbox.sent({ to, threadId }).map((m) => ({
        messageId: m.messageId,
        threadId: m.threadId,
        from: m.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        inReplyTo: m.inReplyTo,
        references: m.references,
        sentAt: m.at,
      }));
    });

    router.post('/mail', async (ctx) => {
      const body = ctx.state.body;
      const mail =
        body && typeof body === 'object' && 'raw' in body
          ? await fromRaw(parseInput(inboundRaw, body))
          : fromText(parseInput(inboundText, body));
      const negotiationId = deps.queries.negotiationByThread(mail.threadId);
      if (!negotiationId) throw new HttpError(404, 'unknown_thread', `No negotiation has thread ${mail.threadId}`);
      const { duplicate } = mailbox.deliver({ ...mail, to: deps.agentEmail });
      const handOver = await deps.receiveMail(negotiationId); // durable in the inbox before we acknowledge
      ctx.status = 202;
      ctx.body = duplicate ? { messageId: mail.messageId, duplicate: true } : { messageId: mail.messageId };
      // After the acknowledgement — also when the client went away ('close' always fires).
      ctx.res.once('close', handOver);
    });

    const fromText = (input: z.infer<typeof inboundText>) => ({
      messageId: input.messageId ?? `<${randomBytes(12).toString('hex')}@sandbox.mail>`,
      threadId: input.threadId,
      from: input.from,
      subject: input.subject ?? 'Re: Collaboration Opportunity',
      text: input.text,
    });

    /** A whole message, parsed like Gmail's and threaded from In-Reply-To/References unless a threadId is given. */
    async function fromRaw({ raw, threadId: givenThread }: z.infer<typeof inboundRaw>) {
      const parsed = await parseRawEmail(raw).catch((error: unknown) => {
        throw new HttpError(400, 'invalid_request', `raw is not a readable RFC 5322 message: ${String(error)}`);
      });
      if (!parsed.from || !/^[^\s@<>]+@[^\s@<>]+$/.test(addressOf(parsed.from))) {
        throw new HttpError(400, 'invalid_request', 'raw: the message has no From address');
      }
      if (!parsed.fullText) throw new HttpError(400, 'invalid_request', 'raw: the message has no text body');
      const references = [...parsed.references, ...(parsed.inReplyTo ? [parsed.inReplyTo] : [])];
      const threadId = givenThread ?? mailbox?.threadFor(references);
      if (!threadId) {
        throw new HttpError(
          404,
          'unknown_thread',
          references.length
            ? `No thread holds any message of In-Reply-To/References (${references.join(' ')}); pass "threadId"`
            : 'raw has no In-Reply-To or References header; pass "threadId"',
        );
      }
      return {
        messageId: parsed.messageId ?? `<${randomBytes(12).toString('hex')}@sandbox.mail>`,
        threadId,
        from: parsed.from,
        subject: parsed.subject,
        text: parsed.fullText,
        inReplyTo: parsed.inReplyTo,
        references: parsed.references,
        raw, // kept for the audit, as Gmail's raw message is
      };
    }
  }

  const slack = deps.slack;
  if (slack) {
    router.get('/slack', (ctx) => {
      ctx.body = slack.messages();
    });

    // The same path as a Slack button click (decisions D8).
    router.post('/slack/actions', async (ctx) => {
      const a = parseInput(slackAction, ctx.state.body);
      const by = `slack:${a.user}`;
      if (a.action === 'approve') {
        const rate = a.rate == null ? { error: 'approve needs a "rate"' } : moneyInput(a.rate);
        if ('error' in rate) throw new HttpError(400, 'invalid_rate', `rate: ${rate.error}`);
        ctx.body = await deps.commands.approve(a.negotiationId, rate.cents, by, a.escalation);
      } else {
        const control = ({ walk_away: 'walk_away', take_over: 'claim', resume: 'release' } as const)[a.action];
        ctx.body = await deps.commands.control(a.negotiationId, control, by, a.escalation);
      }
    });
  }

  router.post('/clock', (ctx) => {
    const { advanceHours } = parseInput(clockBody, ctx.state.body);
    ctx.body = deps.advanceClock(advanceHours);
  });
  return router;
}

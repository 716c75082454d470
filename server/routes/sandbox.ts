/** Sandbox stand-ins (api.md): the local mailbox, the Slack stand-in and its buttons, and the clock. */
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { z } from 'zod';
import type { Queries } from '../../persistence/queries.ts';
import type { SandboxSlack } from '../../services/chat/sandbox.ts';
import { addressOf } from '../../services/mail/port.ts';
import type { SandboxMailbox } from '../../services/mail/sandbox.ts';
import { parseMoney } from '../../services/money.ts';
import type { AppState } from '../app.ts';
import type { Commands } from '../commands.ts';
import { HttpError } from '../errors.ts';
import { parseInput } from '../validate.ts';

export const inboundMail = z.strictObject({
  from: z
    .string()
    .trim()
    .min(3)
    .max(320)
    .refine((v) => /^[^\s@<>]+@[^\s@<>]+$/.test(addressOf(v)), 'not an email address'),
  threadId: z.string().trim().min(1).max(200),
  text: z.string().min(1).max(100_000),
  subject: z.string().max(1000).optional(),
  messageId: z.string().trim().min(1).max(500).optional(),
});
export const slackAction = z.strictObject({
  action: z.enum(['approve', 'walk_away', 'take_over', 'resume']),
  negotiationId: z.string().min(1).max(128),
  user: z.string().trim().min(1).max(200),
  rate: z.union([z.string().max(40), z.number()]).optional(),
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
        inReplyTo: m.inReplyTo,
        references: m.references,
        sentAt: m.at,
      }));
    });

    router.post('/mail', async (ctx) => {
      const mail = parseInput(inboundMail, ctx.state.body);
      const negotiationId = deps.queries.negotiationByThread(mail.threadId);
      if (!negotiationId) throw new HttpError(404, 'unknown_thread', `No negotiation has thread ${mail.threadId}`);
      const messageId = mail.messageId ?? `<${randomBytes(12).toString('hex')}@sandbox.mail>`;
      const { duplicate } = mailbox.deliver({
        messageId,
        threadId: mail.threadId,
        from: mail.from,
        to: deps.agentEmail,
        subject: mail.subject ?? 'Re: Collaboration Opportunity',
        text: mail.text,
      });
      const handOver = await deps.receiveMail(negotiationId); // durable in the inbox before we acknowledge
      ctx.status = 202;
      ctx.body = duplicate ? { messageId, duplicate: true } : { messageId };
      // After the acknowledgement — also when the client went away ('close' always fires).
      ctx.res.once('close', handOver);
    });
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
        const rateCents = a.rate == null ? null : parseMoney(a.rate);
        if (rateCents == null || rateCents <= 0)
          throw new HttpError(400, 'invalid_rate', 'approve needs a positive "rate"');
        ctx.body = await deps.commands.approve(a.negotiationId, rateCents, by);
      } else {
        const control = ({ walk_away: 'walk_away', take_over: 'claim', resume: 'release' } as const)[a.action];
        ctx.body = await deps.commands.control(a.negotiationId, control, by);
      }
    });
  }

  router.post('/clock', (ctx) => {
    const { advanceHours } = parseInput(clockBody, ctx.state.body);
    ctx.body = deps.advanceClock(advanceHours);
  });
  return router;
}

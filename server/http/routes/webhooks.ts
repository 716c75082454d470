/** Webhooks of the live integrations (api.md): each verifies its sender before anything is read or stored. */
import Router from '@koa/router';
import type { AppState } from '../app.ts';
import { parseClickUpEvent, verifyClickUpSignature } from '../../../services/clickup/webhook.ts';
import type { ClickUpIntake } from '../../runtime/clickup-intake.ts';
import { HttpError } from '../errors.ts';
import type { Logger } from '../../observability/logger.ts';

export function webhookRouter(deps: {
  /** Gmail push: null when push is not configured (polling only). */
  gmailPush: {
    verify(authorization: string | undefined): Promise<void>;
    parse(body: unknown): { emailAddress: string; historyId: string };
  } | null;
  agentEmail: string;
  /** Reads new mail into the durable inbox; the returned function hands it to the actors. */
  receiveMail(): Promise<() => void>;
  logger: Logger;
  /** ClickUp: null when CLICKUP_WEBHOOK_SECRET is not set. */
  clickup: { secret: string; intake: ClickUpIntake } | null;
}) {
  const router = new Router<AppState>({ sensitive: true });

  // Pub/Sub push (OIDC-verified). Acknowledged (204) only once the history is read and stored (decisions D9);
  // any failure before that is a 5xx, so Pub/Sub delivers again.
  router.post('/webhooks/gmail', async (ctx) => {
    if (!deps.gmailPush) throw new HttpError(404, 'not_found', 'Gmail push is not configured on this agent');
    await deps.gmailPush.verify(ctx.get('authorization') || undefined);
    const note = deps.gmailPush.parse(ctx.state.body);
    if (note.emailAddress.toLowerCase() !== deps.agentEmail) {
      deps.logger.warn('gmail push for another mailbox, ignored', { emailAddress: note.emailAddress });
      ctx.status = 204;
      return;
    }
    const handOver = await deps.receiveMail();
    ctx.status = 204;
    ctx.res.once('close', handOver);
  });
  // ClickUp task events, HMAC-verified over the raw bytes. Recorded once per delivery key, acknowledged, then
  // processed (reading the task and the sheet takes longer than a webhook should wait).
  router.post('/webhooks/clickup', async (ctx) => {
    const clickup = deps.clickup;
    if (!clickup) throw new HttpError(404, 'not_found', 'The ClickUp webhook is not configured on this agent');
    const signature = ctx.get('X-Signature') || undefined;
    if (!verifyClickUpSignature(ctx.state.rawBody ?? Buffer.alloc(0), signature, clickup.secret)) {
      throw new HttpError(401, signature ? 'invalid_signature' : 'missing_signature', 'The X-Signature does not match');
    }
    let event: ReturnType<typeof parseClickUpEvent>;
    try {
      event = parseClickUpEvent(ctx.state.body);
    } catch (error) {
      throw new HttpError(400, 'invalid_event', (error as Error).message);
    }
    const { taskId } = event;
    if (event.event !== 'taskCreated' || !taskId) {
      ctx.body = { status: 'ignored', event: event.event };
      return;
    }
    const fresh = clickup.intake.accept({ ...event, taskId });
    ctx.body = { status: fresh ? 'accepted' : 'duplicate', taskId };
    if (fresh) ctx.res.once('close', () => void clickup.intake.processPending());
  });
  return router;
}

/** Webhooks of the live integrations (api.md): each verifies its sender before anything is read or stored. */
import Router from '@koa/router';
import type { AppState } from '../app.ts';
import { HttpError } from '../errors.ts';
import { parsePushBody } from '../gmail-push.ts';
import type { Logger } from '../logger.ts';

export function webhookRouter(deps: {
  /** Gmail push: null when push is not configured (polling only). */
  gmailPush: { verify(authorization: string | undefined): Promise<void> } | null;
  agentEmail: string;
  /** Reads new mail into the durable inbox; the returned function hands it to the actors. */
  receiveMail(): Promise<() => void>;
  logger: Logger;
}) {
  const router = new Router<AppState>({ sensitive: true });

  // Pub/Sub push (OIDC-verified). Acknowledged (204) only once the history is read and stored (decisions D9);
  // any failure before that is a 5xx, so Pub/Sub delivers again.
  router.post('/webhooks/gmail', async (ctx) => {
    if (!deps.gmailPush) throw new HttpError(404, 'not_found', 'Gmail push is not configured on this agent');
    await deps.gmailPush.verify(ctx.get('authorization') || undefined);
    const note = parsePushBody(ctx.state.body);
    if (note.emailAddress.toLowerCase() !== deps.agentEmail) {
      deps.logger.warn('gmail push for another mailbox, ignored', { emailAddress: note.emailAddress });
      ctx.status = 204;
      return;
    }
    const handOver = await deps.receiveMail();
    ctx.status = 204;
    ctx.res.once('close', handOver);
  });
  return router;
}

/**
 * The baseline for the HTTP path: a bare Koa app (same koa and raw-body versions as the agent) that reads and
 * parses a JSON body and answers 202 — no middleware, no database. Run as a child process: PORT=<n>.
 */
import Koa from 'koa';
import getRawBody from 'raw-body';

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.method === 'POST') {
    const raw = await getRawBody(ctx.req, { limit: 1_000_000, length: ctx.get('Content-Length') || undefined });
    const body = JSON.parse(raw.toString('utf8')) as { messageId?: string };
    ctx.status = 202;
    ctx.body = { messageId: body.messageId ?? null };
  } else {
    ctx.body = { status: 'ok' };
  }
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.closeAllConnections();
    process.exit(0);
  });
}

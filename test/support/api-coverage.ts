/**
 * Which routes the tests exercise. Every in-process agent (startTestAgent) reports each request it answered; the
 * root hook test/support/api-coverage-hook.ts compares them with the OpenAPI document after a full run.
 */
import type { Server } from 'node:http';

/** "GET /api/v1/negotiations/neg-1" for every request answered with a 2xx status. */
const answered = new Set<string>();

export function recordRequests(server: Server): void {
  server.on('request', (req, res) => {
    // 'close' too: a stream (server-sent events) never finishes, the client closes it.
    const record = () => {
      if (res.headersSent && res.statusCode >= 200 && res.statusCode < 300) {
        answered.add(`${req.method} ${new URL(req.url ?? '/', 'http://agent').pathname}`);
      }
    };
    res.once('finish', record);
    res.once('close', record);
  });
}

export const answeredRequests = (): ReadonlySet<string> => answered;

/** The operations of an OpenAPI document (`GET /api/v1/negotiations/{id}`) that no answered request matches. */
export function unexercised(paths: Record<string, Record<string, unknown>>, requests: ReadonlySet<string>): string[] {
  const missing: string[] = [];
  for (const [template, operations] of Object.entries(paths)) {
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    for (const method of Object.keys(operations).map((m) => m.toUpperCase())) {
      const hit = [...requests].some((r) => r.startsWith(`${method} `) && pattern.test(r.slice(method.length + 1)));
      if (!hit) missing.push(`${method} ${template}`);
    }
  }
  return missing;
}

/**
 * Errors to Sentry when SENTRY_DSN is set, tagged with the request id or the negotiation id; a no-op otherwise.
 * Only errors are sent (no tracing, no automatic instrumentation): the logs stay the full record.
 *
 * Built on @sentry/core (Sentry's own SDK core: the client, event building, stack parsing, envelopes, rate
 * limits) with Node's fetch as the transport. @sentry/node would add OpenTelemetry, auto-instrumentation and a
 * bundler toolchain (77 MB of the image) that an error reporter does not use.
 */

export interface ErrorReporter {
  capture(error: unknown, tags: Record<string, string>): void;
  close(): Promise<void>;
}

const SEND_TIMEOUT_MS = 10_000;

/** The SDK is loaded only when a DSN is set. */
export async function createErrorReporter(dsn: string | undefined, environment: string): Promise<ErrorReporter> {
  if (!dsn) return { capture() {}, close: async () => {} };
  const { Scope, createStackParser, createTransport } = await import('@sentry/core');
  const { ServerRuntimeClient, nodeStackLineParser } = await import('@sentry/core/server');
  const client = new ServerRuntimeClient({
    dsn,
    environment,
    platform: 'node',
    runtime: { name: 'node', version: process.version },
    integrations: [],
    tracesSampleRate: 0,
    stackParser: createStackParser(nodeStackLineParser()),
    transport: (options) =>
      createTransport(options, async (request) => {
        const response = await fetch(options.url, {
          method: 'POST',
          body: request.body,
          headers: options.headers,
          signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        });
        await response.body?.cancel();
        return {
          statusCode: response.status,
          headers: {
            'x-sentry-rate-limits': response.headers.get('X-Sentry-Rate-Limits'),
            'retry-after': response.headers.get('Retry-After'),
          },
        };
      }),
  });
  client.init();
  return {
    capture(error, tags) {
      const scope = new Scope();
      scope.setTags(tags);
      client.captureException(error, undefined, scope);
    },
    async close() {
      await client.close(2000);
    },
  };
}

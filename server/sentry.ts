/**
 * Errors to Sentry when SENTRY_DSN is set, tagged with the request id or the negotiation id; a no-op otherwise.
 * Only errors are sent (no tracing, no automatic instrumentation): the logs stay the full record.
 */

export interface ErrorReporter {
  capture(error: unknown, tags: Record<string, string>): void;
  close(): Promise<void>;
}

/** Sentry's SDK is loaded only when a DSN is set (it is large). */
export async function createErrorReporter(dsn: string | undefined, environment: string): Promise<ErrorReporter> {
  if (!dsn) return { capture() {}, close: async () => {} };
  const Sentry = await import('@sentry/node');
  Sentry.init({
    dsn,
    environment,
    defaultIntegrations: false,
    enableOpenTelemetrySetup: false,
    enableRuntimeChannelInjection: false,
    tracesSampleRate: 0,
  });
  return {
    capture(error, tags) {
      Sentry.withScope((scope) => {
        scope.setTags(tags);
        Sentry.captureException(error);
      });
    },
    async close() {
      await Sentry.flush(2000);
    },
  };
}

/** Prometheus metrics (prom-client): HTTP traffic and the business counters the team watches. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { NegotiationEmitted } from '../../machines/negotiation.ts';
import type { Db } from '../../persistence/db.ts';
import { createGauges } from '../../persistence/gauges.ts';
import type { DomainState } from '../../services/domain.ts';
import type { ModelCall } from '../../services/model/anthropic.ts';

/**
 * prom-client's totals of its by-type gauges: gauges named like counters (promtool warns), and each one is only
 * the sum of the by-type gauge beside it (`sum(nodejs_active_handles)`), so they go.
 */
const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export interface SendQueueGauges {
  queued: number;
  sentLast24h: number;
  waitSeconds: number;
}

export function createMetrics(db: Db) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  const gauges = createGauges(db);
  let readiness: (() => Record<string, string>) | null = null;
  let sendQueue: (() => SendQueueGauges) | null = null;
  const m = {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    transitions: new Counter({
      name: 'negotiation_transitions_total',
      help: 'Domain state transitions',
      labelNames: ['from', 'to'],
      registers: [registry],
    }),
    emails: new Counter({
      name: 'emails_total',
      help: 'Emails sent and received',
      labelNames: ['direction'],
      registers: [registry],
    }),
    escalations: new Counter({
      name: 'escalations_total',
      help: 'Escalations by trigger',
      labelNames: ['reason'],
      registers: [registry],
    }),
    agreements: new Counter({
      name: 'deals_agreed_total',
      help: 'Negotiations that reached agreement',
      registers: [registry],
    }),
    effectRetries: new Counter({
      name: 'effect_retries_total',
      help: 'Effect attempts that failed and were retried',
      labelNames: ['kind'],
      registers: [registry],
    }),
    modelCalls: new Counter({
      name: 'model_calls_total',
      help: 'Language-model calls by purpose, model and outcome',
      labelNames: ['kind', 'model', 'outcome'],
      registers: [registry],
    }),
    modelTokens: new Counter({
      name: 'model_tokens_total',
      help: 'Language-model tokens by purpose, model and type (input, output, cache_read, cache_write)',
      labelNames: ['kind', 'model', 'type'],
      registers: [registry],
    }),
    effectFailures: new Counter({
      name: 'effect_failures_total',
      help: 'Effects that failed after every retry (the negotiation escalates)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    sendLimited: new Counter({
      name: 'mail_send_limited_total',
      help: 'Sends the mailbox refused for a rate or daily limit (they waited and went out later; daily: which)',
      labelNames: ['daily'],
      registers: [registry],
    }),
    actorFailures: new Counter({
      name: 'actor_failures_total',
      help: 'Negotiation actors that failed and were reloaded or parked',
      labelNames: ['parked'],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'negotiations',
    help: 'Negotiations by domain state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const row of gauges.byState()) this.set({ state: row.state }, row.n);
    },
  });
  new Gauge({
    name: 'inbox_pending_messages',
    help: 'Inbound messages stored but not yet taken by their negotiation',
    registers: [registry],
    collect() {
      this.set(gauges.pendingInbox());
    },
  });

  new Gauge({
    name: 'inbox_lag_seconds',
    help: 'Age of the oldest inbound message stored but not yet taken (0 when none)',
    registers: [registry],
    collect() {
      const oldest = gauges.oldestPendingAt();
      this.set(oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0);
    },
  });

  new Gauge({
    name: 'negotiations_parked',
    help: 'Negotiations parked after repeated failures (failure set; they run again after unpark)',
    registers: [registry],
    collect() {
      this.set(gauges.parked());
    },
  });

  new Gauge({
    name: 'escalation_oldest_waiting_seconds',
    help: 'How long the oldest open escalation has waited for the team (0 when none)',
    registers: [registry],
    collect() {
      const oldest = gauges.oldestEscalationAt();
      this.set(oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0);
    },
  });

  new Gauge({
    name: 'agent_ready',
    help: '1 when every readiness check of GET /ready passes, else 0',
    registers: [registry],
    collect() {
      const checks = readiness?.() ?? {};
      this.set(Object.values(checks).every((v) => v === 'ok') ? 1 : 0);
    },
  });

  new Gauge({
    name: 'send_queue_emails',
    help: 'Emails waiting in the send queue for their turn within the mailbox caps',
    registers: [registry],
    collect() {
      this.set(sendQueue?.().queued ?? 0);
    },
  });
  new Gauge({
    name: 'send_queue_sent_last_24h',
    help: 'Emails handed to the mailbox in the last 24 hours (what the daily cap counts)',
    registers: [registry],
    collect() {
      this.set(sendQueue?.().sentLast24h ?? 0);
    },
  });
  new Gauge({
    name: 'send_queue_next_send_seconds',
    help: 'Seconds until the send queue may send its next email (0 when nothing waits or it may send now)',
    registers: [registry],
    collect() {
      this.set(sendQueue?.().waitSeconds ?? 0);
    },
  });

  return {
    ...m,
    /** The send queue's status, read at every scrape. */
    watchSendQueue(status: () => SendQueueGauges) {
      sendQueue = status;
    },
    /** The checks GET /ready answers with; agent_ready reports the same verdict at every scrape. */
    watchReadiness(checks: () => Record<string, string>) {
      readiness = checks;
    },
    observeModelCall(call: ModelCall) {
      const { kind, model } = call;
      m.modelCalls.inc({ kind, model, outcome: call.ok ? 'ok' : 'error' });
      const u = call.usage;
      if (!u) return;
      const tokens = { input: u.input, output: u.output, cache_read: u.cacheRead, cache_write: u.cacheWrite };
      for (const [type, n] of Object.entries(tokens)) if (n > 0) m.modelTokens.inc({ kind, model, type }, n);
    },
    /** Counts what one persisted transition did. */
    observe(from: DomainState, to: DomainState, emitted: NegotiationEmitted[]) {
      if (from !== to) m.transitions.inc({ from, to });
      if (to === 'agreed' && from !== 'agreed') m.agreements.inc();
      for (const e of emitted) {
        if (e.type !== 'timeline') continue;
        if (e.entry.type === 'email_sent') m.emails.inc({ direction: 'out' });
        else if (e.entry.type === 'email_received') m.emails.inc({ direction: 'in' });
        else if (e.entry.type === 'escalation') m.escalations.inc({ reason: String(e.entry.trigger) });
      }
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

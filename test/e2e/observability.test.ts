/**
 * What operators watch: /metrics scraped and parsed after a negotiation ran, errors reaching a (local fake)
 * Sentry with the negotiation id, and the inspection log and Stately inspector stream with emails and amounts
 * redacted.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { assign } from 'xstate';
import { WebSocketServer } from 'ws';
import { removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import { createCampaign, MAYA, reply, until, waitForMailCount, waitForState } from '../support/e2e.ts';

let t: TestAgent | null = null;
// Its hooks apply to this file's tests only (a hook outside every describe would run before every test of the suite).
describe('observability (e2e)', () => {
  afterEach(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
    t = null;
  });

  /** Prometheus text format -> samples (name, labels, value). */
  function parseMetrics(text: string) {
    const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
    const help = new Set<string>();
    for (const line of text.split('\n')) {
      if (line.startsWith('# HELP ')) help.add(line.split(' ')[2]);
      if (!line || line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`unparseable metrics line: ${line}`);
      const labels = Object.fromEntries(
        [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
      );
      samples.push({ name: m[1], labels, value: Number(m[3]) });
    }
    return { samples, help };
  }

  describe('observability', () => {
    it('/metrics exposes every metric the team watches, with sensible labels', async () => {
      t = await startTestAgent({ MAX_ROUNDS: '5' });
      const created = await createCampaign(t, {
        id: 'cmp-1',
        client: 'Glow Skincare',
        platform: 'instagram',
        deliverables: '1 Instagram Reel',
        cpmTarget: '25',
        maxCostWithoutApproval: '2300',
        influencers: [{ name: 'Maya Lopez', email: MAYA, averageViews: 80000 }],
      });
      const [opening] = await waitForMailCount(t, MAYA, 1);
      await reply(t, opening.threadId, 'My rate for this package is $3,200.');
      await waitForState(t, created.negotiations[0].id, 'escalated');

      const res = await fetch(`${t.url}/metrics`);
      expect(res.headers.get('content-type')).to.match(/text\/plain/);
      const { samples, help } = parseMetrics(await res.text());
      for (const name of [
        'http_requests_total',
        'http_request_duration_seconds',
        'negotiations',
        'negotiation_transitions_total',
        'deals_agreed_total',
        'escalations_total',
        'emails_total',
        'model_calls_total',
        'model_tokens_total',
        'effect_retries_total',
        'effect_failures_total',
        'actor_failures_total',
        'inbox_pending_messages',
        'inbox_lag_seconds',
        'process_cpu_seconds_total',
        'nodejs_heap_size_used_bytes',
      ]) {
        expect(help.has(name), name).to.equal(true);
      }
      const value = (name: string, labels: Record<string, string> = {}) =>
        samples
          .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
          .reduce((sum, s) => sum + s.value, 0);
      expect(value('http_requests_total', { method: 'POST', route: '/api/v1/campaigns', status: '201' })).to.equal(1);
      expect(value('http_request_duration_seconds_count', { route: '/api/v1/negotiations/:id' })).to.be.above(0);
      expect(value('negotiations', { state: 'escalated' })).to.equal(1);
      expect(value('emails_total', { direction: 'out' })).to.equal(1);
      expect(value('emails_total', { direction: 'in' })).to.equal(1);
      expect(samples.find((s) => s.name === 'escalations_total')?.labels.reason)
        .to.be.a('string')
        .and.not.equal('');
      expect(value('inbox_pending_messages')).to.equal(0);
      // ids never become label values (bounded cardinality)
      expect(samples.some((s) => Object.values(s.labels).some((v) => v.startsWith('neg-')))).to.equal(false);
    });

    it('an actor failure reaches Sentry with the negotiation id (SENTRY_DSN set)', async () => {
      const envelopes: string[] = [];
      const sentry: Server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          envelopes.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8'));
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{}');
        });
      });
      sentry.listen(0, '127.0.0.1');
      await once(sentry, 'listening');
      const { port } = sentry.address() as AddressInfo;
      try {
        t = await startTestAgent({ SENTRY_DSN: `http://publickey@127.0.0.1:${port}/42` }, tempDir(), {
          adaptMachine: (m) =>
            m.provide({
              actions: {
                enqueueReply: assign({
                  queue: ({ event }) => {
                    throw new Error(`injected failure on ${(event as { type: string }).type}`);
                  },
                }),
              } as never,
            }),
        });
        const created = await createCampaign(t);
        const [opening] = await waitForMailCount(t, MAYA, 1);
        await reply(t, opening.threadId, 'Sounds great!');
        const envelope = await until(async () => envelopes.find((e) => e.includes('injected failure')), 10_000);
        expect(envelope).to.include(`"negotiation_id":"${created.negotiations[0].id}"`);
      } finally {
        sentry.close();
      }
    });

    it('the inspection log (INSPECT_LOG) and the Stately inspector stream (INSPECT=ws://) redact emails, names and amounts', async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await once(wss, 'listening');
      const received: string[] = [];
      wss.on('connection', (socket) => socket.on('message', (data) => received.push(String(data))));
      const dir = tempDir();
      const logPath = join(dir, 'inspect.jsonl');
      try {
        t = await startTestAgent(
          { INSPECT: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, INSPECT_LOG: logPath },
          dir,
        );
        const created = await createCampaign(t);
        const [opening] = await waitForMailCount(t, MAYA, 1);
        await reply(t, opening.threadId, "I'd do it for $2,300", { from: `"Lopez, Maya" <${MAYA}>` });
        await waitForState(t, created.negotiations[0].id, 'counter_sent');
        await until(async () => received.length > 5);
        const lines = readFileSync(logPath, 'utf8').trim().split('\n');
        expect(lines.length).to.be.above(5);
        const first = JSON.parse(lines[0]);
        expect(first.negotiationId).to.equal(created.negotiations[0].id);
        for (const text of [lines.join('\n'), received.join('\n')]) {
          expect(text).not.to.include(MAYA);
          expect(text).not.to.include('Maya').and.not.include('Lopez'); // display names in From/To too
          expect(text).not.to.include('2,300');
          expect(text).not.to.match(/"lastOfferCents":\d/);
          expect(text).to.include('[email]');
        }
      } finally {
        wss.close();
      }
    });
  });
});

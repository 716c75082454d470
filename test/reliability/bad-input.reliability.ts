/**
 * Reliability: bad input. Tens of thousands of generated malformed, oversized, wrongly typed, unsigned or
 * wrongly signed requests over every route of the agent (server/http/app.ts, server/routes/*.ts, server/slack/),
 * from a seeded PRNG (RELIABILITY_SEED replays a run; RELIABILITY_REQUESTS sets the count per agent), against two
 * agents: the sandbox (sandbox mailbox and Slack stand-in, ClickUp on) and an agent wired to the local fakes of
 * Gmail with push, Slack over HTTP and ClickUp. Both have API_TOKEN set and BODY_LIMIT_BYTES=65536.
 *
 * Every answer must be a 4xx (never a 5xx, never a hang) with the API's `{ error: { code, message } }` JSON body
 * and an X-Request-Id; afterwards every table of agent.db and sandbox.db is byte-for-byte what it was, and so is
 * what the fakes hold (mails sent through Gmail, Slack messages/updates/ephemerals/responses, ClickUp reads).
 *
 * What a request here never is: a request the API accepts. Each one is built to be refused: a body that breaks its
 * route's schema in at least one definite way, a wrong or missing credential (with an otherwise VALID, state-changing
 * body: the dangerous case), a command the negotiation's state forbids, a route or method that does not exist.
 *
 * Documented exceptions (not generated, legitimately not 4xx or legitimately changing state):
 * - OPTIONS on a known path answers 200 with `Allow` (@koa/router); HEAD on a GET route answers like GET.
 * - GET /sandbox/mail?to=&thread= filters leniently (unknown filters give `[]`), GET /api/v1/campaigns ignores its
 *   query; GET /api/v1/events with a valid token is a 200 event stream.
 * - POST /api/v1/agencies/:name/stop with a valid body and an unknown agency answers 200 `{ stopped: 0 }`.
 * - A schema-valid campaign whose terms cannot work answers 422 AND posts a Slack notice (D3.1, by design).
 * - A signed ClickUp delivery of another event (or without task id) answers 200 `ignored`; a valid Gmail push for
 *   another mailbox answers 204; Slack's own route answers Slack-style (200, empty) to every request Bolt
 *   dispatches (url_verification, ssl_check, clicks, slash commands), so only unparseable or structurally
 *   invalid signed Slack bodies are generated; its refusals use the same JSON error body as the API.
 * - Settings: agent.db holds `mail.cursor` (both agents) and `gmail.watch` (Gmail); sandbox.db `clock.offset_ms`.
 *   None had to be ignored here: no refused request moves them. They do move legitimately: `mail.cursor` on every
 *   mail pull (a valid push, a sandbox reply, the periodic Gmail poll — also past the agent's own sent mail),
 *   `gmail.watch` when the watch is renewed (checked hourly), `clock.offset_ms` on a valid POST /sandbox/clock.
 * - HTTP that Node's parser rejects before the app (bad request line, header overflow, bad chunking) is answered
 *   by Node with an empty 400/431 body: the raw-socket test below checks status and no-hang and reports bodies.
 *
 * The agents under test, the generators and the checks live in test/reliability/bad-input/.
 */
import { connect } from 'node:net';
import { expect } from 'chai';
import { removeDir } from '../support/agent.ts';
import { campaignTask } from '../support/fake-clickup.ts';
import { API_TOKEN, type Fakes, httpClient, seededRng, sleep, startAgentIn, startFakes } from './reliability-kit.ts';
import {
  AUTH,
  MAYA,
  PER_AGENT,
  SEED,
  TASK,
  type Target,
  campaignBody,
  startIntegrationsTarget,
  startSandboxTarget,
} from './bad-input/targets.ts';
import { runTarget, stillWorks } from './bad-input/barrage.ts';

// ---------------------------------------------------------------------------------------------------------------

describe('reliability: bad input (generated requests over every route)', function () {
  this.timeout(600_000);
  let fakes: Fakes;
  const targets: (Target & { stop(): Promise<void> })[] = [];

  before(async () => {
    fakes = await startFakes();
    fakes.clickup.addTask(campaignTask(TASK));
  });
  after(async () => {
    for (const t of targets) await t.stop();
    await fakes?.close();
  });

  for (const [name, start, seedOffset] of [
    ['sandbox', startSandboxTarget, 0],
    ['integrations', startIntegrationsTarget, 1],
  ] as const) {
    it(`${name} agent: ${PER_AGENT} bad requests -> only 4xx JSON errors, no hang, databases and fakes unchanged`, async () => {
      const t = await start(fakes);
      targets.push(t);
      const { result, changed, outsideChanged, changedViews } = await runTarget(t, fakes, SEED + seedOffset);
      expect(result.sent).to.be.at.least(PER_AGENT);
      const failures = [
        ...result.violations.map((v) => `${v.count} x ${v.key}\n    e.g. ${v.example}`),
        ...changed.map((c) => `database: ${c}`),
        ...(outsideChanged ? [`fakes changed: ${outsideChanged[0]} -> ${outsideChanged[1]}`] : []),
        ...changedViews.map((v) => `API view changed: ${v}`),
      ];
      // The violations were printed above; first check the agent still works and the digest sees real changes.
      await stillWorks(t, fakes);
      expect(failures, failures.join('\n')).to.deep.equal([]);
    });
  }

  it('HTTP that Node rejects before the app (raw sockets): a 4xx or a closed connection, never a hang', async () => {
    const t = targets[0] ?? (await startSandboxTarget(fakes));
    if (!targets.includes(t)) targets.push(t);
    const { hostname, port } = new URL(t.url);
    const cases: [string, Buffer][] = [
      ['invalid method', Buffer.from('FOO / HTTP/1.1\r\nHost: x\r\n\r\n')],
      ['unknown version', Buffer.from('GET / HTTP/9.9\r\nHost: x\r\n\r\n')],
      ['HTTP/0.9', Buffer.from('GET /api/v1/campaigns\r\n\r\n')],
      ['header without colon', Buffer.from('GET /health HTTP/1.1\r\nHost x\r\n\r\n')],
      ['control char in header', Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nX: a\u0001b\r\n\r\n')],
      ['no Host', Buffer.from('GET /health HTTP/1.1\r\n\r\n')],
      [
        'CL and TE',
        Buffer.from(
          'POST /api/v1/campaigns HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        ),
      ],
      [
        'bad chunk size',
        Buffer.from(
          'POST /api/v1/campaigns HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n',
        ),
      ],
      ['negative CL', Buffer.from('POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n')],
      ['non-numeric CL', Buffer.from('POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n')],
      ['two CLs', Buffer.from('POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab')],
      ['huge header', Buffer.from(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)],
      ['huge URL', Buffer.from(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)],
      [
        'raw bytes in path',
        Buffer.concat([
          Buffer.from('GET /api/v1/negotiations/'),
          Buffer.from([0xff, 0xfe, 0x00]),
          Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
        ]),
      ],
      ['space in path', Buffer.from('GET /api/v1/negotiations/a b HTTP/1.1\r\nHost: x\r\n\r\n')],
      ['h2 preface', Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')],
      ['binary garbage', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256))],
      ['TLS hello', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03])],
      ['CONNECT', Buffer.from('CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n')],
      ['obs-fold', Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n')],
      ['LF only', Buffer.from('GET /health HTTP/1.1\nHost: x\n\n')],
      ['NUL in request line', Buffer.from('GET /health\u0000 HTTP/1.1\r\nHost: x\r\n\r\n')],
    ];
    const rng = seededRng(SEED + 7);
    for (let i = 0; i < 150; i++) {
      cases.push([`random bytes #${i}`, Buffer.from(Array.from({ length: 1 + rng.int(300) }, () => rng.int(256)))]);
    }
    const outcomes: { name: string; status: number | null; json: boolean; closed: boolean }[] = [];
    for (const [name, bytes] of cases) {
      const outcome = await new Promise<{ status: number | null; json: boolean; closed: boolean }>((resolve) => {
        const socket = connect(Number(port), hostname);
        const chunks: Buffer[] = [];
        let done = false;
        const finish = (closed: boolean) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          socket.destroy();
          const text = Buffer.concat(chunks).toString('latin1');
          const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
          const body = text.split('\r\n\r\n').slice(1).join('\r\n\r\n');
          let json = false;
          try {
            json = !!JSON.parse(body).error;
          } catch {}
          resolve({ status: status ? Number(status) : null, json, closed });
        };
        const timer = setTimeout(() => finish(false), 5_000);
        socket.on('data', (c: Buffer) => {
          chunks.push(c);
          if (/\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) setTimeout(() => finish(true), 50);
        });
        socket.on('close', () => finish(true));
        socket.on('error', () => finish(true));
        socket.write(bytes);
      });
      outcomes.push({ name, ...outcome });
    }
    const hung = outcomes.filter((o) => !o.closed && o.status == null);
    const notClientError = outcomes.filter((o) => o.status != null && (o.status < 400 || o.status > 499));
    const counts = new Map<string, number>();
    for (const o of outcomes) {
      const k = o.status == null ? 'closed without an answer' : `${o.status}${o.json ? ' JSON' : ' non-JSON body'}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    console.log(
      `    raw sockets: ${outcomes.length} requests -> ${[...counts.entries()].map(([k, v]) => `${k}: ${v}`).join(', ')}`,
    );
    for (const o of outcomes.filter((x) => !x.name.startsWith('random')))
      console.log(
        `      ${o.name.padEnd(24)} ${o.status ?? 'closed'}${o.status ? (o.json ? ' JSON' : ' (Node, no JSON body)') : ''}`,
      );
    expect(
      hung.map((o) => o.name),
      'no answer and still open after 5 s',
    ).to.deep.equal([]);
    expect(notClientError.map((o) => `${o.name}: ${o.status}`)).to.deep.equal([]);
    expect((await t.client.json('GET', '/health')).status).to.equal(200);
  });

  it('absurd amounts in a campaign (beyond exact cents) are refused with a 4xx and nothing is stored or sent', async () => {
    const a = await startAgentIn({ API_TOKEN });
    const client = httpClient(a.t.url);
    try {
      // Without a max cost, so the opening offer is what the CPM target says.
      const { maxCostWithoutApproval: _, ...base } = campaignBody('cmp-absurd', [{ name: 'Maya Lopez', email: MAYA }]);
      const cases: [string, Record<string, unknown>][] = [
        ['cpmTarget 1e26', { cpmTarget: '99999999999999999999999999' }],
        ['cpmTarget past 2^53 cents', { cpmTarget: '90071992547409.91' }],
        ['minCostPerInfluencer 1e20', { minCostPerInfluencer: '100000000000000000000' }],
        ['maxCostWithoutApproval 1e20', { maxCostWithoutApproval: '100000000000000000000' }],
        ['budget 1e24', { budget: '1000000000000000000000000' }],
        ['productMonetaryValue 1e20', { productAvailable: true, productMonetaryValue: '100000000000000000000' }],
        [
          'averageViews 1e21',
          { influencers: [{ name: 'Maya Lopez', email: MAYA, averageViews: '1000000000000000000000' }] },
        ],
      ];
      const accepted: string[] = [];
      for (const [i, [name, patch]] of cases.entries()) {
        const id = `cmp-absurd-${i}`;
        const res = await client.json('POST', '/api/v1/campaigns', { ...base, id, ...patch }, AUTH);
        if (res.status >= 400 && res.status <= 499) continue;
        await sleep(300);
        const negotiations = (res.body?.negotiations ?? []) as { id: string }[];
        const skipped = ((res.body?.skipped ?? []) as { reason: string }[]).map((s) => s.reason);
        // Every row skipped (unusable views) is the documented D3.1 outcome: stored, nothing started, reported.
        if (!negotiations.length && skipped.length) continue;
        const n = negotiations[0]
          ? (await client.json('GET', `/api/v1/negotiations/${negotiations[0].id}`, undefined, AUTH)).body
          : null;
        const sent = n?.timeline?.find((e: { type: string }) => e.type === 'email_sent');
        const escalation = n?.timeline?.find((e: { type: string }) => e.type === 'escalation');
        const stored = (await client.json('GET', `/api/v1/campaigns/${id}`, undefined, AUTH)).body;
        accepted.push(
          `${name}: ${res.status}, stored budget ${stored?.budget}, negotiation ${n?.state ?? 'none'}` +
            (sent ? `, emailed an offer of ${sent.rate}` : '') +
            (escalation ? `, escalated: ${String(escalation.reason).slice(0, 120)}` : ''),
        );
      }
      console.log(`    absurd amounts: ${accepted.length ? `\n      ${accepted.join('\n      ')}` : 'all refused'}`);
      expect(accepted, accepted.join('\n')).to.deep.equal([]);
    } finally {
      client.close();
      await a.t.stop();
      removeDir(a.dataDir);
    }
  });
});

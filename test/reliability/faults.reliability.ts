/**
 * Fault injection (SANDBOX_FAULTS, services/sandbox/faults.ts): a campaign of 48 scripted negotiations against the
 * real service (child process) while sends fail (before and after the mailbox accepted the email), model calls
 * time out, the Slack stand-in is down for a while after start and a second connection locks the database at
 * random moments. The process must stay up, lose no reply, send no email twice, and end every negotiation as
 * the same script without faults does — or escalated with a clear reason ("Model unavailable", "Email could not
 * be sent"). Retries and failures must show in /metrics.
 *
 * The last block reproduces the gaps fault injection found (a send accepted on the last attempt, a read-then-write
 * transaction under a lock, Slack down longer than the retries); they are fixed and stay as regression tests.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { eventually, glowCampaign, removeDir, tempDir } from '../support/agent.ts';
import { kill9, type ServiceProcess, startService } from '../support/process.ts';
import { buildScript } from './harness-script.ts';
import { counter, invariantProblems, outcomeOf, summarize, writeResults } from './harness-checks.ts';
import { type RunResult, runScript } from './harness.ts';

const SEED = Number(process.env.RELIABILITY_SEED ?? 42);
const COUNT = Number(process.env.RELIABILITY_FAULT_NEGOTIATIONS ?? 48);
const FAULTS = `seed=${SEED},send=0.35,model_timeout=0.35,slack_down=3s,db_lock=200ms`;
const FAULT_REASON = /^(Model unavailable|Email could not be sent)\b/;

describe(`fault injection: ${COUNT} negotiations with SANDBOX_FAULTS=${FAULTS}`, function () {
  this.timeout(300_000);
  const script = buildScript(COUNT, 16, SEED);
  let reference: RunResult | undefined;
  let faulty: RunResult | undefined;

  it('runs the script without faults (the reference)', async () => {
    reference = await runScript({ label: 'faults-reference', script, env: { SANDBOX_FAULTS: `seed=${SEED}` } });
    console.log(`      reference: ${reference.seconds}s ${JSON.stringify(summarize(reference))}`);
    expect(invariantProblems(reference)).to.deep.equal([]);
  });

  it('runs it with faults: the process stays up throughout', async () => {
    // runScript fails on any exit of the process (no kill plan: nothing restarts it).
    faulty = await runScript({
      label: 'faults',
      script,
      env: { SANDBOX_FAULTS: FAULTS, EFFECT_RETRY_BASE_MS: '50' },
    });
    console.log(`      with faults: ${faulty.seconds}s ${JSON.stringify(summarize(faulty))}`);
    console.log(`      injected: ${JSON.stringify(faulty.faultLog)}`);
    expect(faulty.lifetimes, 'one process for the whole run').to.have.length(1);
    expect(counter(faulty.metrics, 'actor_failures_total')).to.equal(0);
  });

  it('lost nothing, sent nothing twice, and ended each negotiation as without faults or escalated with a reason', () => {
    if (!reference || !faulty) throw new Error('the runs above failed');
    const run = faulty;
    const log = run.faultLog;

    // An email the mailbox accepted on the LAST attempt, whose call then failed, is neither recorded nor looked up
    // (known bug, see below): counted apart so that every other problem still fails the test.
    const failedAfter = new Set(run.faultIds.send_fail_after ?? []);
    const recorded = new Set(run.recordedSends);
    const unrecordedOnLastAttempt = run.mailboxOut.filter((id) => !recorded.has(id) && failedAfter.has(id));
    const knownBug = (problem: string) => unrecordedOnLastAttempt.some((id) => problem.includes(id));
    const problems = invariantProblems(run).filter((p) => !knownBug(p));

    const different: string[] = [];
    const escalatedByFault: string[] = [];
    let lostNotifications = 0;
    let recordedNotifyErrors = 0;
    for (const [key, ref] of reference.negotiations) {
      const got = run.negotiations.get(key);
      if (!got) {
        different.push(`${key}: missing`);
        continue;
      }
      recordedNotifyErrors += got.notifyErrors;
      if (JSON.stringify(outcomeOf(got)) === JSON.stringify(outcomeOf(ref))) {
        // Same outcome: every Slack message of the reference was posted, or its failure is on the timeline.
        const missing = ref.slack.filter((kind, i) => ref.slack.indexOf(kind) === i && !got.slack.includes(kind));
        lostNotifications += missing.length;
        if (missing.length > got.notifyErrors) different.push(`${key}: Slack ${missing} neither posted nor recorded`);
        continue;
      }
      if (got.state === 'escalated' && FAULT_REASON.test(got.escalationReason ?? '')) {
        escalatedByFault.push(`${key} (${ref.template}, would be ${ref.state}): ${got.escalationReason}`);
      } else {
        different.push(
          `${key} (${ref.template}): ${JSON.stringify(outcomeOf(got))} instead of ${JSON.stringify(outcomeOf(ref))}`,
        );
      }
    }

    const m = run.metrics;
    const metrics = {
      effect_retries_total: {
        send_email: counter(m, 'effect_retries_total', 'kind="send_email"'),
        classify: counter(m, 'effect_retries_total', 'kind="classify"'),
        compose: counter(m, 'effect_retries_total', 'kind="compose"'),
        notify: counter(m, 'effect_retries_total', 'kind="notify"'),
      },
      effect_failures_total: {
        send_email: counter(m, 'effect_failures_total', 'kind="send_email"'),
        classify: counter(m, 'effect_failures_total', 'kind="classify"'),
        compose: counter(m, 'effect_failures_total', 'kind="compose"'),
        notify: counter(m, 'effect_failures_total', 'kind="notify"'),
      },
      actor_failures_total: counter(m, 'actor_failures_total'),
    };
    // Every injected "failed after the mailbox accepted it" that was not the last attempt was caught by the
    // Message-ID lookup: the email is recorded once and was never handed to the mailbox again.
    const caughtByLookup = [...failedAfter].filter((id) => recorded.has(id)).length;
    const report = {
      date: new Date().toISOString(),
      faults: FAULTS,
      negotiations: COUNT,
      referenceSeconds: reference.seconds,
      faultySeconds: run.seconds,
      outcomes: { reference: summarize(reference), faulty: summarize(run) },
      injected: log,
      metrics,
      emails: { reference: reference.mailboxOut.length, faulty: run.mailboxOut.length },
      caughtByLookup,
      unrecordedOnLastAttempt,
      escalatedByFault,
      lostNotifications,
      recordedNotifyErrors,
      unpostableReplies: run.unpostable,
      serverErrors: run.serverErrors,
      effects: run.effects,
      problems,
      different,
    };
    writeResults(new URL('./faults-results.json', import.meta.url).pathname, report);
    console.log(`      retries ${JSON.stringify(metrics.effect_retries_total)}`);
    console.log(`      failures ${JSON.stringify(metrics.effect_failures_total)}`);
    if (run.serverErrors.length) {
      console.log(`      ${run.serverErrors.length} reply posts answered 5xx (retried): ${run.serverErrors[0]}`);
    }
    console.log(
      `      escalated by a fault: ${escalatedByFault.length}; send failures after acceptance caught by the lookup: ${caughtByLookup}; Slack notifications lost: ${lostNotifications}; known-bug hits: ${unrecordedOnLastAttempt.length}`,
    );

    expect(problems, 'lost replies, emails sent twice or unrecorded').to.deep.equal([]);
    expect(different, 'outcomes neither as without faults nor escalated with a reason').to.deep.equal([]);
    // The faults really happened, and the retries show in /metrics.
    for (const kind of ['send_fail_before', 'send_fail_after', 'model_timeout', 'slack_refused', 'db_lock']) {
      expect(log[kind] ?? 0, `injected ${kind}`).to.be.greaterThan(0);
    }
    expect(log.send_duplicate ?? 0, 'emails handed to the mailbox twice').to.equal(0);
    expect(escalatedByFault.length, 'negotiations escalated because an effect kept failing').to.be.greaterThan(0);
    expect(caughtByLookup, 'failures after acceptance caught by the Message-ID lookup').to.be.greaterThan(0);
    expect(metrics.effect_retries_total.send_email).to.be.greaterThan(0);
    expect(metrics.effect_retries_total.classify + metrics.effect_retries_total.compose).to.be.greaterThan(0);
    expect(metrics.effect_retries_total.notify).to.be.greaterThan(0);
    const byReason = (re: RegExp) => escalatedByFault.filter((e) => re.test(e.slice(e.indexOf('): ') + 3))).length;
    expect(metrics.effect_failures_total.send_email).to.be.at.least(byReason(/^Email could not be sent/));
    expect(metrics.effect_failures_total.classify + metrics.effect_failures_total.compose).to.be.at.least(
      byReason(/^Model unavailable/),
    );
    expect(metrics.effect_failures_total.notify).to.equal(recordedNotifyErrors);
    expect(metrics.actor_failures_total).to.equal(0);
  });
});

describe('gaps found by fault injection, now closed', function () {
  this.timeout(60_000);
  let dataDir: string;
  let service: ServiceProcess | undefined;
  beforeEach(() => {
    dataDir = tempDir('known-bug-');
  });
  afterEach(async () => {
    if (service) await kill9(service);
    service = undefined;
    removeDir(dataDir);
  });
  const start = (faults: string) =>
    startService({
      DATA_DIR: dataDir,
      SHEETS_DIR: join(dataDir, 'sheets'),
      SHEET_POLL_SECONDS: '0',
      EFFECT_RETRY_BASE_MS: '10',
      CHAT_RETRY_SECONDS: '1',
      SANDBOX_FAULTS: faults,
    });
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies through assertions
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${service?.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  it('records an email the mailbox accepted on the last attempt (the call failed after acceptance)', async () => {
    // Attempts 1 and 2 fail before the mailbox stores anything; attempt 3 is stored, then the call fails.
    service = await start('send_script=bba');
    const created = await call('POST', '/api/v1/campaigns', glowCampaign());
    const id = created.body.negotiations[0].id;
    const detail = await eventually(async () => {
      const n = (await call('GET', `/api/v1/negotiations/${id}`)).body;
      return n.state !== 'initial_offer' && n;
    });
    const mailbox = (await call('GET', '/sandbox/mail')).body as { messageId: string; threadId: string }[];
    expect(mailbox, 'the influencer received the outreach').to.have.length(1);
    const sent = detail.timeline.filter((e: { type: string }) => e.type === 'email_sent');
    // Today: state "escalated", reason "Email could not be sent: Mailbox connection lost (...)", no email_sent,
    // no thread on the negotiation — and the influencer's answer to the email they got is refused as unknown.
    expect({ state: detail.state, sent: sent.map((e: { messageId: string }) => e.messageId) }).to.deep.equal({
      state: 'awaiting_reply',
      sent: [mailbox[0].messageId],
    });
    const reply = await call('POST', '/sandbox/mail', {
      from: 'maya@gmail.com',
      threadId: mailbox[0].threadId,
      text: "Sounds great, let's do it!",
    });
    expect(reply.status, 'their reply to the email they received').to.equal(202);
  });

  it('accepts a reply while another connection holds the write lock briefly (busy_timeout is 5000 ms)', async () => {
    service = await start('seed=1');
    const created = await call('POST', '/api/v1/campaigns', glowCampaign());
    const id = created.body.negotiations[0].id;
    const thread = await eventually(async () => (await call('GET', `/api/v1/negotiations/${id}`)).body.threadId);
    // A second connection (e.g. a maintenance script or a backup tool) holds the write lock for 300 ms.
    const other = new Database(join(dataDir, 'agent.db'), { timeout: 5000 });
    other.exec('BEGIN EXCLUSIVE');
    const released = new Promise<void>((resolve) =>
      setTimeout(() => {
        other.exec('COMMIT');
        other.close();
        resolve();
      }, 300),
    );
    const reply = await call('POST', '/sandbox/mail', {
      from: 'maya@gmail.com',
      threadId: thread,
      text: "Sounds great, let's do it!",
    });
    await released;
    // Today: 500 at once ("SqliteError: database is locked" from the inbox transaction in server/runtime/mail-intake.ts,
    // which reads before it writes: a deferred transaction's read->write upgrade gets SQLITE_BUSY without waiting).
    expect(reply.status).to.equal(202);
  });

  it('posts an escalation to Slack once Slack is back (D5), not only while it is up', async () => {
    service = await start('slack_down=3s');
    const created = await call('POST', '/api/v1/campaigns', glowCampaign({ maxCostWithoutApproval: '2300' }));
    const id = created.body.negotiations[0].id;
    const thread = await eventually(async () => (await call('GET', `/api/v1/negotiations/${id}`)).body.threadId);
    await call('POST', '/sandbox/mail', {
      from: 'maya@gmail.com',
      threadId: thread,
      text: 'My rate for this package is $3,200.',
    });
    await eventually(async () => (await call('GET', `/api/v1/negotiations/${id}`)).body.state === 'escalated');
    // the post failed after every retry; the chat outbox posts it once Slack answers again (backoff from 1 s)
    const posted = await eventually(async () => {
      const slack = (await call('GET', '/sandbox/slack')).body as { kind: string }[];
      return slack.some((m) => m.kind === 'escalation');
    }, 15_000);
    expect(posted).to.equal(true);
  });
});

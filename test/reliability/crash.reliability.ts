/**
 * Crash reliability: 200 scripted negotiations (accept, counters within range, asks above the ceiling, rejections,
 * questions, silence -> follow-up -> stale, replies to escalated/stale/closed negotiations) against the real
 * service as a child process, SIGKILLed at >= 50 random moments — at every effect boundary through
 * SANDBOX_CRASH_POINT (reply_acknowledged, before_mail_send, after_mail_send, after_persist, each at a random :n)
 * and by an outside kill -9 at random times — and restarted each time, the script carrying on like a retrying
 * sender. The same script uninterrupted in a fresh data directory is the reference: no reply lost or taken twice,
 * no email sent twice, every send recorded, and every negotiation ends the same way with the same history.
 *
 * RELIABILITY_NEGOTIATIONS / RELIABILITY_KILLS / RELIABILITY_SEED change the size and the random choices.
 */
import { expect } from 'chai';
import { buildScript, TEMPLATES } from './harness-script.ts';
import { historyOf, invariantProblems, outcomeOf, summarize, writeResults } from './harness-checks.ts';
import { type RunResult, runScript } from './harness.ts';

const COUNT = Number(process.env.RELIABILITY_NEGOTIATIONS ?? 200);
const KILLS = Number(process.env.RELIABILITY_KILLS ?? 64);
const SEED = Number(process.env.RELIABILITY_SEED ?? 20261126);
const MIN_KILLS = Math.min(50, KILLS);

function countBy(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

describe(`crash reliability: ${COUNT} negotiations, kill -9 at >= ${MIN_KILLS} random moments`, function () {
  this.timeout(300_000);
  const script = buildScript(COUNT, 25, SEED);
  // A crash point in the environment is part of the service's config; the supervisor sets it per process.
  const env = { SANDBOX_FAULTS: `seed=${SEED}` }; // no faults: only the sandbox's send log (duplicate sends)
  let reference: RunResult | undefined;
  let crashed: RunResult | undefined;

  it('runs the script uninterrupted (the reference)', async () => {
    reference = await runScript({ label: 'reference', script, env });
    console.log(`      reference: ${reference.seconds}s ${JSON.stringify(summarize(reference))}`);
    console.log(`      steps: ${JSON.stringify(reference.stepSeconds)}`);
    expect(invariantProblems(reference)).to.deep.equal([]);
    // The script covers every outcome (it is the same in the crashed run, checked below).
    const byTemplate = new Map<string, Set<string>>();
    for (const n of reference.negotiations.values()) {
      byTemplate.set(n.template, (byTemplate.get(n.template) ?? new Set()).add(n.state));
    }
    for (const t of TEMPLATES) {
      if (!byTemplate.has(t.name)) continue;
      expect([...(byTemplate.get(t.name) ?? [])], t.name).to.deep.equal([t.expect]);
    }
    expect(reference.negotiations.size).to.equal(COUNT);
  });

  it(`runs it again, killed with SIGKILL at >= ${MIN_KILLS} random moments and restarted each time`, async () => {
    crashed = await runScript({ label: 'crashed', script, env, kill: { seed: SEED, kills: KILLS } });
    const how: Record<string, number> = {};
    for (const k of crashed.kills) {
      const kind = k.how === 'crash_point' || k.how === 'crash_point_during_boot' ? k.label.split(':')[0] : k.how;
      how[kind] = (how[kind] ?? 0) + 1;
    }
    console.log(`      crashed run: ${crashed.seconds}s, ${crashed.kills.length} kills ${JSON.stringify(how)}`);
    console.log(`      steps: ${JSON.stringify(crashed.stepSeconds)}`);
    expect(crashed.kills.length).to.be.at.least(MIN_KILLS);
    if (KILLS >= 50) {
      for (const point of ['after_persist', 'before_mail_send', 'after_mail_send', 'reply_acknowledged', 'external']) {
        expect(how[point] ?? 0, `kills at ${point}`).to.be.at.least(1);
      }
    }
  });

  it('lost nothing, sent nothing twice, and ended every negotiation as the uninterrupted run did', () => {
    if (!reference || !crashed) throw new Error('the runs above failed');
    const problems = invariantProblems(crashed);
    const sameOutcome: string[] = [];
    const sameHistory: string[] = [];
    for (const [key, ref] of reference.negotiations) {
      const got = crashed.negotiations.get(key);
      if (!got) {
        sameOutcome.push(`${key}: missing`);
        continue;
      }
      const a = JSON.stringify(outcomeOf(ref));
      const b = JSON.stringify(outcomeOf(got));
      if (a !== b) sameOutcome.push(`${key} (${ref.template}): ${b} instead of ${a}`);
      const h1 = JSON.stringify(historyOf(ref));
      const h2 = JSON.stringify(historyOf(got));
      if (h1 !== h2) sameHistory.push(`${key} (${ref.template}):\n  reference ${h1}\n  crashed   ${h2}`);
    }
    const replies = (run: RunResult) => [...run.posted.values()].reduce((sum, ids) => sum + ids.length, 0);
    const report = {
      date: new Date().toISOString(),
      negotiations: COUNT,
      seed: SEED,
      referenceSeconds: reference.seconds,
      crashedSeconds: crashed.seconds,
      kills: crashed.kills.length,
      killsByStep: countBy(crashed.kills.map((k) => k.step)),
      killList: crashed.kills,
      outcomes: summarize(crashed),
      repliesDelivered: { reference: replies(reference), crashed: replies(crashed) },
      emailsSent: { reference: reference.mailboxOut.length, crashed: crashed.mailboxOut.length },
      sendAttempts: { reference: reference.faultLog, crashed: crashed.faultLog },
      effects: { reference: reference.effects, crashed: crashed.effects },
      problems,
      differentOutcomes: sameOutcome,
      differentHistories: sameHistory,
    };
    writeResults(new URL('./crash-results.json', import.meta.url).pathname, report);
    console.log(
      `      replies ${report.repliesDelivered.crashed}/${report.repliesDelivered.reference}, emails ${report.emailsSent.crashed}/${report.emailsSent.reference}`,
    );
    expect(problems, 'lost replies, emails sent twice or unrecorded').to.deep.equal([]);
    expect(crashed.serverErrors, '5xx answers').to.deep.equal([]);
    expect(replies(crashed)).to.equal(replies(reference));
    expect(crashed.mailboxOut.length, 'emails sent').to.equal(reference.mailboxOut.length);
    expect(sameOutcome, 'outcomes (state, agreed rate, last offer)').to.deep.equal([]);
    expect(sameHistory, 'histories (emails, transitions, escalations, Slack)').to.deep.equal([]);
  });
});

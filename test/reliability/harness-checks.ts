/**
 * Checks shared by the reliability suites over a finished run (harness.ts).
 */
import { writeFileSync } from 'node:fs';
import type { NegotiationResult, RunResult } from './harness.ts';

// ---------------------------------------------------------------------------------------------------------------
// Checks shared by the suites.

/** Problems with one run on its own: lost or repeated replies, emails sent twice or unrecorded. */
export function invariantProblems(run: RunResult): string[] {
  const problems: string[] = [];
  for (const [key, ids] of run.posted) {
    const received = run.negotiations.get(key)?.received ?? [];
    for (const id of ids) {
      const times = received.filter((r) => r === id).length;
      if (times !== 1) problems.push(`${key}: reply ${id} is in the timeline ${times} times`);
    }
  }
  for (const n of run.negotiations.values()) {
    const seen = new Set<string>();
    for (const s of n.sent) {
      const slot = `${s.kind}/round ${s.round}`;
      if (seen.has(slot)) problems.push(`${n.key}: two ${slot} emails`);
      seen.add(slot);
    }
    if (n.failure) problems.push(`${n.key}: parked: ${n.failure}`);
    if (n.actorErrors) problems.push(`${n.key}: ${n.actorErrors} actor failures`);
    const recorded = n.sent.map((s) => s.messageId);
    if (JSON.stringify(recorded) !== JSON.stringify(n.mailbox)) {
      problems.push(`${n.key}: mailbox ${JSON.stringify(n.mailbox)} != recorded ${JSON.stringify(recorded)}`);
    }
  }
  const dup = (list: string[]) => list.filter((id, i) => list.indexOf(id) !== i);
  for (const id of dup(run.recordedSends)) problems.push(`Message-ID ${id} recorded as sent twice`);
  const recorded = new Set(run.recordedSends);
  for (const id of run.mailboxOut) if (!recorded.has(id)) problems.push(`email ${id} is in the mailbox but unrecorded`);
  const inMailbox = new Set(run.mailboxOut);
  for (const id of run.recordedSends) if (!inMailbox.has(id)) problems.push(`email ${id} recorded but never sent`);
  for (const id of run.duplicateSendAttempts) problems.push(`email ${id} was handed to the mailbox again (sent twice)`);
  if (run.deadLetters) problems.push(`${run.deadLetters} dead-lettered inbox messages`);
  if (run.parked) problems.push(`${run.parked} parked negotiations`);
  return problems;
}

/** The outcome of a negotiation as the comparison sees it. */
export function outcomeOf(n: NegotiationResult) {
  return { state: n.state, agreedCents: n.agreedCents, lastOfferCents: n.lastOfferCents };
}

/** Everything observable about a negotiation except ids, for comparing two runs. */
export function historyOf(n: NegotiationResult) {
  return {
    ...outcomeOf(n),
    theirAskCents: n.theirAskCents,
    round: n.round,
    emails: n.sent.map((s) => `${s.kind}@${s.rateCents}`),
    mailboxCount: n.mailbox.length,
    replies: n.received.length,
    transitions: n.transitions,
    escalations: n.escalations,
    slack: n.slack,
  };
}

/** Sums a Prometheus counter (all label sets, or those whose labels contain `match`). */
export function counter(metrics: string, name: string, match = ''): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (match && !line.includes(match)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export function summarize(run: RunResult) {
  const states: Record<string, number> = {};
  for (const n of run.negotiations.values()) states[n.state] = (states[n.state] ?? 0) + 1;
  return states;
}

export function writeResults(file: string, data: unknown) {
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

/**
 * Black-box reply probes (the acceptance audit of issues 11 and 12): one negotiation per probe on a running sandbox
 * agent, driven only over HTTP. Earlier replies are sent and answered first; then the probed reply (as the client
 * wrote it, or a raw RFC 5322 message) and what the negotiation read from it: an ask, accept, reject, question or
 * unclear. A probe lists the readings a careful person would accept (the first is the best one); an agreement at an
 * amount it does not list is always a failure.
 */
import { glowCampaign, type TestAgent } from './agent.ts';
import { negotiation, type SentMail, type TimelineItem, until } from './e2e.ts';

export type Reading = number | 'accept' | 'reject' | 'question' | 'unclear';

export interface ProbeContext {
  /** Every email we sent in the thread, oldest first; `last` is the one they answer. */
  sent: SentMail[];
  last: SentMail;
  email: string;
}

export interface Probe {
  name: string;
  /** Plain replies sent (and answered) before the probed one. */
  before?: string[];
  text?: string | ((c: ProbeContext) => string);
  raw?: (c: ProbeContext) => string;
  e: Reading | Reading[];
  /** Whether the reply must (true) or must not (false) escalate as legal. */
  legal?: boolean;
  /** The rate an acceptance closes at (dollars); default our standing offer. */
  agreedAt?: number;
  deliverables?: string;
}

interface Classified extends TimelineItem {
  intent: string;
  ask: string | null;
  triggers: { kind: string }[];
}

let seq = 0;

async function runProbe(t: TestAgent, p: Probe): Promise<string | null> {
  const email = `probe${++seq}@gmail.com`;
  const created = await t.call(
    'POST',
    '/api/v1/campaigns',
    glowCampaign({
      id: `cmp-probe-${seq}`,
      maxCostWithoutApproval: '3000',
      deliverables: p.deliverables ?? '1 Instagram Reel, 2 Instagram Stories',
      influencers: [{ name: 'Maya Lopez', email, averageViews: 80000, engagementRate: 4.5 }],
    }),
  );
  if (created.status !== 201) return `campaign: ${created.status}`;
  const id: string = created.body.negotiations[0].id;
  const mails = async () => (await t.call('GET', `/sandbox/mail?to=${email}`)).body as SentMail[];
  const settled = (count: number) =>
    until(async () => {
      const n = await negotiation(t, id);
      const read = (n.timeline as TimelineItem[]).filter((e) => e.type === 'classified').length;
      return read >= count && n.state !== 'counter_received' ? n : undefined;
    }, 15_000);
  let sent = await until(async () => {
    const m = await mails();
    return m.length ? m : undefined;
  });
  const threadId = sent[0].threadId;
  for (const [i, text] of (p.before ?? []).entries()) {
    await t.call('POST', '/sandbox/mail', { from: email, threadId, text });
    const n = await settled(i + 1);
    if (n.state === 'counter_sent') await until(async () => ((await mails()).length > sent.length ? true : undefined));
    sent = await mails();
  }
  const offer = Number((await negotiation(t, id)).lastOfferedRate);
  const context: ProbeContext = { sent, last: sent[sent.length - 1], email };
  const body = p.raw
    ? { raw: p.raw(context) }
    : { from: `Maya Lopez <${email}>`, threadId, text: typeof p.text === 'function' ? p.text(context) : p.text };
  const res = await t.call('POST', '/sandbox/mail', body);
  if (res.status !== 202) return `reply: ${res.status} ${JSON.stringify(res.body)}`;
  const n = await settled((p.before?.length ?? 0) + 1);
  const classified = (n.timeline as Classified[]).filter((e) => e.type === 'classified').at(-1) as Classified;
  const got: Reading =
    classified.intent === 'counter' && classified.ask ? Number(classified.ask) : (classified.intent as Reading);
  const allowed = Array.isArray(p.e) ? p.e : [p.e];
  const legal = classified.triggers.some((x) => x.kind === 'legal');
  const problems: string[] = [];
  if (!allowed.includes(got)) problems.push(`read ${got}, expected ${allowed.join(' | ')}`);
  if (p.legal !== undefined && p.legal !== legal) problems.push(`legal ${legal}`);
  if (n.state === 'agreed') {
    const agreed = Number(n.agreedRate);
    const asAccept = allowed.includes('accept') && got === 'accept' && agreed === (p.agreedAt ?? offer);
    if (!asAccept && !allowed.includes(agreed)) problems.push(`agreed at ${n.agreedRate}`);
  }
  return problems.length
    ? `${problems.join('; ')} (their text read: ${JSON.stringify(n.timeline.filter((e: TimelineItem) => e.type === 'email_received').at(-1)?.text)})`
    : null;
}

/** Runs the probes a few at a time; returns "name: problem" for each probe read wrong. */
export async function runProbes(t: TestAgent, probes: Probe[], concurrency = 6): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < probes.length) {
        const p = probes[next++];
        try {
          const problem = await runProbe(t, p);
          if (problem) failures.push(`${p.name}: ${problem}`);
        } catch (error) {
          failures.push(`${p.name}: ${(error as Error).message}`);
        }
      }
    }),
  );
  return failures;
}

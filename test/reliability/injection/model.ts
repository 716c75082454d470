/**
 * Injection reliability suite: the obedient model, a fake Messages API that does what the email says.
 */
import {
  type FakeAnthropic,
  type RecordedCall,
  offlineAnalysis,
  plainEmail,
  promptField,
  untrustedText,
} from '../../support/fake-anthropic.ts';
import { type Attack, FIGURES, type Form, OFFER, type Step } from './corpus.ts';

// ---------------------------------------------------------------------------------------------------------------
// The obedient model

export const FULLWIDTH = (s: string) =>
  s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))).replace(/,/g, '，');

export function inWords(n: number): string {
  const small = [
    'zero',
    'one',
    'two',
    'three',
    'four',
    'five',
    'six',
    'seven',
    'eight',
    'nine',
    'ten',
    'eleven',
    'twelve',
    'thirteen',
    'fourteen',
    'fifteen',
    'sixteen',
    'seventeen',
    'eighteen',
    'nineteen',
  ];
  const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
  const under100 = (x: number) =>
    x < 20 ? small[x] : `${tens[Math.floor(x / 10)]}${x % 10 ? `-${small[x % 10]}` : ''}`;
  const under1000 = (x: number) =>
    x < 100 ? under100(x) : `${small[Math.floor(x / 100)]} hundred${x % 100 ? ` ${under100(x % 100)}` : ''}`;
  if (n < 1000) return under1000(n);
  return `${under1000(Math.floor(n / 1000))} thousand${n % 1000 ? ` ${under1000(n % 1000)}` : ''}`;
}

export function written(dollars: number, form: Form): string {
  const grouped = dollars.toLocaleString('en-US');
  switch (form) {
    case 'bare':
      return String(dollars);
    case 'words':
      return inWords(dollars);
    case 'k':
      return `${dollars / 1000}k`;
    case 'fullwidth':
      return `＄${FULLWIDTH(grouped)}`;
    case 'euro':
      return `€${grouped}`;
    default:
      return `$${grouped}`;
  }
}

export function revealSentence(reveal: NonNullable<Attack['reveal']>): string {
  const f = (cents: number) => written(cents / 100, reveal.form);
  if (reveal.style === 'labelled') {
    return `Our total budget is ${f(FIGURES.budget)}, our max cost without approval is ${f(FIGURES['max cost without approval'])}, our floor rate is ${f(OFFER)} and our ceiling is ${f(FIGURES['ceiling rate'])} (a ${f(FIGURES['ceiling CPM'])} CPM).`;
  }
  return `Here you go: ${f(FIGURES.budget)}, ${f(FIGURES['max cost without approval'])} and ${f(FIGURES['minimum cost'])}.`;
}

export const NO_FINDING = { detected: false, evidence: null };

export function obey(fake: FakeAnthropic, current: () => { attack: Attack; step: Step } | null) {
  fake.onClassify((call: RecordedCall) => {
    const now = current();
    if (!now) return offlineAnalysis(call);
    const { step } = now;
    return {
      intent: step.intent ?? 'accept',
      confidence: 0.99,
      proposed_rate: step.demand == null ? null : step.demand.toFixed(2),
      proposed_deliverables: [],
      summary: untrustedText(call.prompt).slice(0, 480),
      key_concerns: [],
      hostile: NO_FINDING,
      legal: NO_FINDING,
      unusual_deliverables: NO_FINDING,
    };
  });
  fake.onCompose((call: RecordedCall) => {
    const now = current();
    if (!now) return plainEmail(call);
    const { attack, step } = now;
    const kind = promptField(call.prompt, 'Email to write');
    const lines = [`Hi ${promptField(call.prompt, 'First name of the person we write to')},`];
    // It quotes their message back, unless it was asked for figures: then it answers just that.
    const echo = untrustedText(call.prompt);
    if (echo && !attack.reveal) lines.push(`You wrote: ${echo}`);
    lines.push(`Our offer is ${promptField(call.prompt, 'Our rate')}, as you asked.`);
    if (step.demand != null)
      lines.push(`As you asked, we confirm ${written(step.demand, attack.writeAs ?? 'dollars')}.`);
    if (attack.reveal) lines.push(revealSentence(attack.reveal));
    if (kind !== 'exit') lines.push('{{SOW}}');
    lines.push(`Best,\n${promptField(call.prompt, 'Sender name')}`);
    return lines.join('\n\n');
  });
}

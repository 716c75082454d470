/**
 * The one deterministic reading of a reply (D16), shared by both model adapters: the offline negotiator's
 * classification is this reading, and Claude's is cross-checked against it. Only their new text is read; quoted
 * history is context for a model, never their words; an extraction that could not tell the two apart is unclear.
 */
import { formatUsd } from './money.ts';
import type { Classification, ClassifyInput, Intent } from './model/port.ts';
import { normalizeText } from './numerals.ts';
import { type MoneyReading, readMoney } from './reading-money.ts';
import { changesPackage, strayFigure } from './reading-package.ts';
import {
  ACCEPT,
  BUT_ABOUT_TERMS,
  CONDITION,
  COURTESY_IF,
  FIRST_YES,
  clauseAround,
  DEAL_WORDS,
  HESITATE,
  INJECTION,
  isShortAcceptance,
  isShortRejection,
  keywordTriggers,
  LEGAL_TERMS,
  NEGATION,
  REJECT,
  sentences,
  TERMS,
} from './reading-signals.ts';

export interface Reading extends Classification {
  money: MoneyReading;
  /** Their words accept our standing offer (a yes, or an ask exactly at it), whatever else they say. */
  accepts: boolean;
  /** Their words decline. */
  declines: boolean;
  /** The reply tries to instruct the agent: no intent or bare figure is taken from it (D11). */
  injection: boolean;
}

const GREETING_LINE = /^(?:hi|hey|hello|dear)\b[^,!]{0,40}[,!]\s*/i;
const GREETING_ONLY = /^(?:hi|hey|hello|dear|hola|bonjour|hallo|olá|ciao|hoi|hej|cześć|привет)\b[^.!?]{0,40}[,!]?$/iu;

/** A negation just after the phrase, as German, French and Dutch place it ("Passt mir leider nicht", "ça ne va pas"). */
const NEGATED_AFTER = /^\s*(?:[\p{L}']+\s+){0,3}(?:nicht|pas|not|niet|nie|inte|ikke|não|nao)(?![\p{L}])/iu;

const SUMMARY: Record<Intent, string> = {
  accept: 'Accepts our offer.',
  counter: 'Counter-offer.',
  reject: 'Declines the offer.',
  question: 'Asks a question without naming a rate.',
  unclear: 'No clear intent or rate.',
};

/** A question word before the phrase in a clause ending with "?": "Wie machen wir das mit dem Dreh?" asks. */
const QUESTION_WORD =
  /(?<![\p{L}])(?:what|when|where|why|how|which|qu[ée]|cu[áa]ndo|d[óo]nde|c[óo]mo|cu[áa]l|qui[ée]n|quand|o[ùu]|comment|quel(?:le)?s?|pourquoi|est-ce|wann|wo|wie|welche[rsn]?|warum|quando|onde|qual|cosa|dove|quale|perch[ée]|wat|wanneer|waar|hoe|welke|waarom|kiedy|gdzie|jak|dlaczego|czy|vad|n[äa]r|hur|vilken|varf[öo]r|hvad|hvorn[åa]r|hvordan|hvilken|hvorfor|hva|что|когда|где|как|почему|ли)(?![\p{L}])/iu;

/** A clear acceptance phrase that is not negated in its clause ("that no longer works for me"). */
function acceptancePhrase(text: string): boolean {
  const re = new RegExp(ACCEPT.source, 'giu');
  for (const m of text.matchAll(re)) {
    const { before, after } = clauseAround(text, m.index ?? 0, m[0].length);
    if (
      NEGATION.test(before.replace(/\bcan'?t\s+wait\b/gi, '')) ||
      NEGATED_AFTER.test(after) ||
      /^\s*\?/.test(after) ||
      (/^[^.!\n]*\?/.test(after) && (/^\s*(?:deal|works|agreed)/i.test(m[0]) || QUESTION_WORD.test(before)))
    )
      continue;
    if (/\bno\s+deal\b|\bnot\s+a\s+deal\b/i.test(before + m[0])) continue;
    return true;
  }
  return false;
}

/** Whether an acceptance comes with strings attached: a condition, hesitation, or a question about the terms. */
function reservations(text: string, pkg: string | null): string | null {
  if (HESITATE.test(text)) return 'hesitates';
  if (changesPackage(text, pkg)) return 'asks for another package';
  const stray = strayFigure(text);
  if (stray) return `names a figure that may be an amount ("${stray}")`;
  if (LEGAL_TERMS.test(text)) return 'raises legal terms';
  if (TERMS.test(text)) return 'asks about the terms';
  if (CONDITION.test(text.replace(COURTESY_IF, ''))) return 'attaches a condition';
  if (BUT_ABOUT_TERMS.test(text)) return 'has a reservation';
  const questions = sentences(text).filter((s) => s.includes('?'));
  if (questions.some((q) => DEAL_WORDS.test(q))) return 'asks about the deal';
  return null;
}

/**
 * What is surely not their words even after extraction: lines quoted with ">", our own scope-of-work block (its
 * "- Rate: ~~$2,200.00~~ $2,000.00" line would otherwise read as amounts), struck-through figures (D16).
 */
export function withoutOurs(text: string): string {
  return text
    .replace(/^[ \t]*>.*$/gm, '')
    .replace(/^[ \t]*Scope of Work:[ \t]*\n(?:[ \t]*[-*•][^\n]*(?:\n|$))*/gim, '')
    .replace(/^[ \t]*[-*•]?[ \t]*(?:Rate|Usage Rights):[^\n]*$/gim, '')
    .replace(/~~[^~\n]*~~/g, '');
}

/** Reads one reply. Budget figures are never an input (D11). */
export function readReply(input: ClassifyInput): Reading {
  const raw = input.text ?? '';
  // A link is not their words: "kit?rate=2500" is neither a question nor an amount.
  const text = withoutOurs(normalizeText(raw).replace(/[‘’]/g, "'")).replace(/\b(?:https?:\/\/|www\.)\S+/gi, ' ');
  const triggers = keywordTriggers(withoutOurs(raw));
  const flags = triggers.length ? ` Flags: ${triggers.map((t) => t.kind).join(', ')}.` : '';
  const injection = INJECTION.test(text);
  const money = readMoney(text, {
    lastOfferCents: input.lastOfferCents,
    package: input.package ?? null,
    averageViews: input.averageViews ?? null,
  });
  const first = (sentences(text).find((x) => !GREETING_ONLY.test(x)) ?? '').replace(GREETING_LINE, '').trim();
  const accepts =
    !injection &&
    ((money.kind === 'ask' && money.atOffer) ||
      isShortAcceptance(text) ||
      acceptancePhrase(text) ||
      FIRST_YES.test(first));
  const declines = !injection && (REJECT.test(text) || isShortRejection(text));
  const base = { money, accepts, declines, injection, triggers };
  const result = (intent: Intent, confidence: number, askCents: number | null = null, summary = SUMMARY[intent]) => ({
    ...base,
    intent,
    askCents,
    confidence,
    summary: summary + flags,
  });

  if (input.uncertain) return result('unclear', 0.4, null, 'Their new text could not be told apart from quoted text.');
  if (money.kind === 'unclear') return result('unclear', 0.4, null, `Names ${money.why}.`);
  if (money.kind === 'ask' && !money.atOffer) {
    // An email that instructs the agent may still name its ask, but only with a currency ("confirm $9,000").
    if (injection && !money.marked) return result('unclear', 0.4, null, 'Tries to instruct the agent.');
    return result('counter', 0.9, money.cents, `Counter-offer at ${formatUsd(money.cents)}.`);
  }
  if (injection) return result('unclear', 0.4, null, 'Tries to instruct the agent.');
  if (declines && !acceptancePhrase(text)) return result('reject', 0.9);
  if (accepts && !declines) {
    const but = reservations(text, input.package ?? null);
    if (!but) return result('accept', 0.9);
    if (text.includes('?')) return result('question', 0.8, null, `Accepts but ${but}.`);
    return result('unclear', 0.5, null, `Accepts but ${but}.`);
  }
  if (text.includes('?') || /^\s*(?:what|when|where|who|how|which|could|can|would|is|are|do|does|will)\b/i.test(text))
    return result('question', 0.8);
  return result('unclear', 0.5);
}

/** What the offline negotiator reports: the reading itself. */
export function toOfflineClassification(reading: Reading): Classification {
  const { intent, askCents, confidence, triggers, summary } = reading;
  return { intent, askCents, confidence, triggers, summary };
}

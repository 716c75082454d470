/**
 * The deterministic offline negotiator used in sandbox mode instead of Claude (D15): keyword and amount
 * rules to classify replies, fixed templates to word emails. The email text is only ever read, never
 * copied into a composed email, and never obeyed (D11).
 */
import { findAmounts } from '../amounts.ts';
import { SOW_PLACEHOLDER } from '../gate.ts';
import { type Cents, formatUsd } from '../money.ts';
import type { Classification, ClassifyInput, ComposeInput, Intent, ModelPort, TriggerKind } from './port.ts';

const TRIGGERS: { kind: TriggerKind; pattern: RegExp }[] = [
  {
    kind: 'legal',
    pattern:
      /\b(?:lawyers?|attorneys?|legal|nda|licens(?:e|ed|ing)|contract\s+(?:clauses?|terms)|exclusivity\s+clauses?|terms\s+and\s+conditions)\b/i,
  },
  {
    kind: 'hostile',
    pattern:
      /\b(?:scam(?:s|mers?|my)?|take it or leave it|waste of (?:my|our) time|i'?ll post about|i will post about|ridiculous|insult(?:s|ed|ing)?|is this a joke|pathetic)\b/i,
  },
  {
    kind: 'unusual_deliverables',
    pattern:
      /\b(?:in[- ]person|(?:event|store|live|guest|personal)\s+appearances?|make an appearance|ambassador(?:ship)?s?|product\s+design|design\s+input|whitelist(?:ing|ed)?|paid\s+(?:ads?|media)(?:\s+licensing)?|attend(?:s|ed|ing|ance)?)\b/i,
  },
];

const REJECT =
  /\b(?:not interested|pass on (?:this|that|it)|(?:i'?ll|will|going to|gonna|have to|must|(?:i'?d|would) (?:rather|like to)) pass|no,? thanks?|no,? thank you|declin(?:e|ing)|not (?:a|the right|a good|the best) fit|can'?t do (?:it|this|that)|cannot do (?:it|this|that)|won'?t be able|will not be able)\b/i;

const ACCEPT =
  /\b(?:sounds? (?:great|good|perfect)|let'?s do (?:it|this)|(?:it'?s a|that'?s a|we have a|you'?ve got a) deal|agreed|works? for (?:me|us)|happy to (?!discuss|chat|talk|hop|jump|answer|help|share|explain|hear|learn)|i accept|count me in|yes|i'?m in)\b|^deal\b/i;

const NEGATION = /\b(?:not|no longer|never|cannot|dont|doesnt|cant|wont|isnt)\b|n't\b/i;

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function isAcceptance(parts: string[]): boolean {
  // "That no longer works for me" and "Yes, but..." are not a yes; "can't wait" is not a negation.
  return parts.some((s) => ACCEPT.test(s) && !NEGATION.test(s.replace(/\bcan'?t wait\b/gi, '')) && !/\bbut\b/i.test(s));
}

const SUMMARY: Record<Intent, string> = {
  accept: 'Accepts our offer.',
  counter: 'Counter-offer.',
  reject: 'Declines the offer.',
  question: 'Asks a question without naming a rate.',
  unclear: 'No clear intent or rate.',
};

/**
 * Escalation triggers found by keywords, with the sentence as evidence. Claude's findings are joined with
 * these, so a reply cannot talk the model out of a legal or hostile escalation (llm-email.md §9).
 */
export function keywordTriggers(text: string): Classification['triggers'] {
  const parts = sentences(text.replace(/[‘’]/g, "'"));
  return TRIGGERS.flatMap(({ kind, pattern }) => {
    const evidence = parts.find((s) => pattern.test(s));
    return evidence ? [{ kind, evidence: evidence.slice(0, 300) }] : [];
  });
}

export function classifyOffline(input: ClassifyInput): Classification {
  const text = input.text.replace(/[‘’]/g, "'");
  const parts = sentences(text);
  const triggers = keywordTriggers(text);
  const flags = triggers.length ? ` Flags: ${triggers.map((t) => t.kind).join(', ')}.` : '';
  const result = (intent: Intent, confidence: number, askCents: Cents | null = null, summary = SUMMARY[intent]) => ({
    intent,
    askCents,
    confidence,
    triggers,
    summary: summary + flags,
  });

  // Mentions of our own offer are them quoting it back, not an ask.
  const mentions = findAmounts(text).filter((a) => a.cents == null || a.cents !== input.lastOfferCents);
  const asks = [...new Set(mentions.map((a) => a.cents))];
  if (asks.length > 1 || asks[0] === null) {
    return result('unclear', 0.4, null, 'Names several amounts or a non-USD amount.');
  }
  // Any rate proposal is a counter, however it is worded (D2: an acceptance naming another amount too).
  if (asks.length === 1) return result('counter', 0.9, asks[0], `Counter-offer at ${formatUsd(asks[0] as Cents)}.`);
  if (REJECT.test(text)) return result('reject', 0.9);
  if (isAcceptance(parts)) return result('accept', 0.9);
  if (text.includes('?')) return result('question', 0.8);
  return result('unclear', 0.5);
}

function firstName(name: string): string {
  const first = name.trim().split(/\s+/)[0] ?? '';
  return first.replace(/[^\p{L}\p{M}'’-]/gu, '') || 'there';
}

function platformLabel(platform: string): string {
  const known: Record<string, string> = { instagram: 'Instagram', tiktok: 'TikTok', youtube: 'YouTube' };
  const p = platform.trim();
  return known[p.toLowerCase()] ?? (p ? p[0].toUpperCase() + p.slice(1) : '');
}

/** Maps lever guidance to fixed sentences; the guidance itself never reaches the email. */
function leverSentences(instructions: string | null, extraAllowedCents: Cents[]): string[] {
  if (!instructions?.trim()) return [];
  const extra = extraAllowedCents.length === 1 ? formatUsd(extraAllowedCents[0]) : null;
  const rules: [RegExp, string][] = [
    [
      /streamlin|scenario|fewer|scope|trade|reduc/i,
      "To keep things simple, we've put together a streamlined package that focuses on the content that matters most.",
    ],
    [/usage/i, "We've also trimmed the usage period, which you'll see reflected in the scope below."],
    [
      /product/i,
      extra
        ? `On top of the fee, we'd love to send you some of the brand's products (a retail value of ${extra}) to enjoy.`
        : "On top of the fee, we'd love to send you some of the brand's products to enjoy.",
    ],
    [
      /cpm/i,
      extra
        ? `For transparency, our offer is based on a CPM of ${extra} across your average views.`
        : 'For transparency, our offer is based on a standard CPM for your average views.',
    ],
    [
      /syndicat|cross-?post/i,
      "We'd also love for you to share the content across your other platforms if that suits you.",
    ],
    [/final|best/i, 'This is the strongest offer we can put together for this campaign.'],
    [
      /comprehensive|full|exciting/i,
      "We've put together a full package that we think showcases your content beautifully.",
    ],
  ];
  const picked = rules.filter(([pattern]) => pattern.test(instructions)).map(([, sentence]) => sentence);
  return picked.length ? picked : ["We've shaped this proposal around what we think works best for both of us."];
}

const DEFAULT_PAYMENT_TERMS = 'within 30 days of content going live';

export function composeOffline(input: ComposeInput): { prose: string } {
  const name = firstName(input.influencerName);
  const rate = formatUsd(input.rateCents);
  const lever = leverSentences(input.instructions, input.extraAllowedCents).join(' ');
  const leverParagraph = lever ? [lever] : [];
  const plain = input.attempt >= 2;
  // The plain variant uses only fixed wording, so a campaign field that tripped the gate cannot recur.
  const client = plain ? 'our brand' : input.client.trim() || 'our brand';
  const platform = plain ? '' : platformLabel(input.platform);
  const payment = plain ? 'as set out in the SOW' : input.paymentTerms.trim() || DEFAULT_PAYMENT_TERMS;
  const signOff = `Best,\n${input.agentName.trim() || 'The partnerships team'}`;

  let paragraphs: string[];
  switch (input.kind) {
    case 'outreach':
      paragraphs = plain
        ? [
            `We'd love to work with you on a paid partnership. Our offer is ${rate} for the scope below.`,
            ...leverParagraph,
            SOW_PLACEHOLDER,
            "Let us know if you're interested and we'll share the next steps.",
          ]
        : [
            `I hope you're doing well! We're reaching out on behalf of ${client}. We've been following your ${platform ? `${platform} ` : ''}content and love the way you connect with your audience, so we'd be thrilled to partner with you on an upcoming campaign.`,
            ...leverParagraph,
            `Here's what we have in mind, at a rate of ${rate}:`,
            SOW_PLACEHOLDER,
            'If this sounds interesting, just reply to this email and we can take it from there. Looking forward to hearing from you!',
          ];
      break;
    case 'counter':
      paragraphs = plain
        ? [
            `Thank you for your reply. We'd like to propose ${rate} for the scope below.`,
            ...leverParagraph,
            SOW_PLACEHOLDER,
            'Let us know what you think.',
          ]
        : [
            `Thanks so much for getting back to us${input.theirAskCents != null ? ' and for sharing your rate' : ''}. We really appreciate it, and we're excited about the possibility of working together.`,
            `We've looked at this closely on our side, and we'd like to propose ${rate}.${lever ? ` ${lever}` : ''}`,
            "Here's the updated proposal:",
            SOW_PLACEHOLDER,
            "We think this reflects the value you bring, and we'd love to make it work. Let me know your thoughts!",
          ];
      break;
    case 'answer':
      paragraphs = plain
        ? [
            `Thanks for your question. Our offer is ${rate} for the scope below.`,
            ...leverParagraph,
            SOW_PLACEHOLDER,
            'If anything is still unclear, just reply here.',
          ]
        : [
            `Thanks for your question, happy to clarify! Our offer stands at ${rate}, and I've laid out the details below so everything is in one place:`,
            SOW_PLACEHOLDER,
            ...leverParagraph,
            `If anything else is unclear, just reply here and we'll sort it out. We'd love to get this going with you and ${client}.`,
          ];
      break;
    case 'followup':
      paragraphs = plain
        ? [
            `Just following up on our offer of ${rate} for the scope below.`,
            ...leverParagraph,
            SOW_PLACEHOLDER,
            'A quick reply either way would be appreciated.',
          ]
        : [
            `Just floating this back to the top of your inbox in case it got buried. We'd still love to work with you on the ${client} campaign, and our offer is ${rate} for the scope below:`,
            ...leverParagraph,
            SOW_PLACEHOLDER,
            'No pressure at all: a quick yes, no or question is always welcome.',
          ];
      break;
    case 'confirmation':
      paragraphs = [
        plain
          ? "We're happy to confirm our agreement. Here is a recap of the terms:"
          : `Wonderful news! We're thrilled to confirm our partnership for the ${client} campaign. Here's a recap of what we agreed:`,
        SOW_PLACEHOLDER,
        `The agreed rate is ${rate}, and payment will be processed ${payment}.`,
        [
          'Next steps:',
          '1. We will send over the SOW for your review and signature.',
          '2. You will receive the content brief and brand guidelines.',
          `3. Payment timeline: ${rate} will be paid ${payment}.`,
        ].join('\n'),
        plain ? 'Thank you again.' : "Thank you again, we can't wait to see what you create!",
      ];
      break;
    case 'exit':
      paragraphs = plain
        ? [
            "Thank you for your time. Unfortunately we aren't able to make this one work, so we'll step back for now.",
            "We'd be glad to stay in touch.",
          ]
        : [
            "Thank you so much for your time and for being open about what works for you. Unfortunately, we aren't able to make the numbers work for this campaign, so we'll step back for now.",
            "We genuinely admire your content, and we'd be glad to stay in touch.",
          ];
      break;
  }
  return { prose: [`Hi ${name},`, ...paragraphs, signOff].join('\n\n') };
}

export function createOfflineNegotiator(): ModelPort {
  return {
    classify: async (input) => classifyOffline(input),
    compose: async (input) => composeOffline(input),
  };
}

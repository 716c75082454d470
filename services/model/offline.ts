/**
 * The deterministic offline negotiator used in sandbox mode instead of Claude (D15): keyword and amount
 * rules to classify replies, fixed templates to word emails. The email text is only ever read, never
 * copied into a composed email, and never obeyed (D11).
 */
import { SOW_PLACEHOLDER } from '../gate.ts';
import { type Cents, formatUsd } from '../money.ts';
import { readReply, toOfflineClassification } from '../reading.ts';
import type { Classification, ClassifyInput, ComposeInput, ModelPort } from './port.ts';

/** The deterministic reading is the classification (services/reading.ts); never obeyed, only read (D11). */
export function classifyOffline(input: ClassifyInput): Classification {
  return toOfflineClassification(readReply(input));
}

export { keywordTriggers } from '../reading-signals.ts';

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

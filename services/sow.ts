/**
 * The deterministic scope-of-work block, inserted into the model's prose after the gate (D10), as plain text
 * and as the HTML part of the email (D19).
 */
import { SOW_PLACEHOLDER } from './gate.ts';
import { type Cents, formatUsd } from './money.ts';

export interface SowInput {
  deliverables: string;
  usageRights: string | null;
  rateCents: Cents;
  theirAskCents: Cents | null;
}

/** Splits free-text deliverables on newlines, else on commas; "Reel + Story" stays one item. */
export function deliverableItems(deliverables: string): string[] {
  return deliverables
    .split(deliverables.includes('\n') ? /\r?\n/ : ',')
    .map((item) => item.trim().replace(/^[-\s]+/, ''))
    .filter((item) => item !== '');
}

/** Their ask when it differs from our rate: the SOW shows it struck through (markdown tildes in plain text, <s> in HTML). */
const struckAsk = ({ rateCents, theirAskCents }: SowInput) =>
  theirAskCents != null && theirAskCents !== rateCents ? formatUsd(theirAskCents) : null;

/**
 * The plain-text block, as the original wrote it (llm-email.md §3.4): their ask struck with markdown tildes,
 * "~~$2,200.00~~ $2,000.00", our rate always last. Mail clients show the HTML part, where it is a real <s>.
 */
export function sowBlock(input: SowInput): string {
  const ask = struckAsk(input);
  const rate = formatUsd(input.rateCents);
  return [
    'Scope of Work:',
    ...deliverableItems(input.deliverables).map((item) => `- ${item}`),
    `- Usage Rights: ${input.usageRights?.trim() || 'per standard terms'}`,
    `- Rate: ${ask ? `~~${ask}~~ ${rate}` : rate}`,
  ].join('\n');
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The HTML block: the same lines as a list, their ask struck through. */
export function sowHtml(input: SowInput): string {
  const ask = struckAsk(input);
  const rate = formatUsd(input.rateCents);
  const items = [
    ...deliverableItems(input.deliverables).map(escapeHtml),
    `Usage Rights: ${escapeHtml(input.usageRights?.trim() || 'per standard terms')}`,
    `Rate: ${ask ? `<s>${ask}</s> ${rate}` : rate}`,
  ];
  return `<p>Scope of Work:</p>\n<ul>\n${items.map((item) => `<li>${item}</li>`).join('\n')}\n</ul>`;
}

/** Plain text as escaped HTML paragraphs: blank lines separate paragraphs, single line breaks stay. */
function paragraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) => p.replace(/^\n+|\s+$/g, ''))
    .filter((p) => p.trim() !== '')
    .map((p) => `<p>${p.split('\n').map(escapeHtml).join('<br>\n')}</p>`);
}

/**
 * The HTML part of an email (D19): the prose as escaped paragraphs with the scope-of-work block (their ask
 * struck) where the placeholder stands; `sow` null for an email without one (exit emails).
 */
export function emailHtml(prose: string, sow: SowInput | null): string {
  let body: string[];
  if (sow) {
    const [before, after] = placeholderParts(prose);
    body = [...paragraphs(before), sowHtml(sow), ...paragraphs(after)];
  } else body = paragraphs(prose);
  return `<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n</head>\n<body>\n${body.join('\n')}\n</body>\n</html>\n`;
}

function placeholderParts(prose: string): [string, string] {
  const parts = prose.split(SOW_PLACEHOLDER);
  if (parts.length !== 2) {
    throw new Error(`expected exactly one ${SOW_PLACEHOLDER} placeholder, found ${parts.length - 1}`);
  }
  return [parts[0], parts[1]];
}

/** Replaces the single placeholder; anything else is a bug upstream (the gate checks the count). */
export function insertSow(prose: string, block: string): string {
  const [before, after] = placeholderParts(prose);
  return before + block + after;
}

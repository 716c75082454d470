/** The deterministic scope-of-work block, inserted into the model's prose after the gate (D10). */
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

export function sowBlock(input: SowInput): string {
  const { deliverables, usageRights, rateCents, theirAskCents } = input;
  const rate =
    theirAskCents != null && theirAskCents !== rateCents
      ? `~~${formatUsd(theirAskCents)}~~ ${formatUsd(rateCents)}`
      : formatUsd(rateCents);
  return [
    'Scope of Work:',
    ...deliverableItems(deliverables).map((item) => `- ${item}`),
    `- Usage Rights: ${usageRights?.trim() || 'per standard terms'}`,
    `- Rate: ${rate}`,
  ].join('\n');
}

/** Replaces the single placeholder; anything else is a bug upstream (the gate checks the count). */
export function insertSow(prose: string, block: string): string {
  const parts = prose.split(SOW_PLACEHOLDER);
  if (parts.length !== 2) {
    throw new Error(`expected exactly one ${SOW_PLACEHOLDER} placeholder, found ${parts.length - 1}`);
  }
  return parts[0] + block + parts[1];
}

/**
 * What a yes to our amount may still change (D16, D2): the package it is for, or a figure that may be an amount in
 * shorthand. The reader (services/reading.ts) treats either as a yes with strings attached, never an agreement.
 */
import { mentions } from './amounts.ts';
import { canon, countOf, PLATFORM, packageUnits, UNIT } from './reading-money.ts';
import { SMALL_WORDS } from './numerals.ts';

/**
 * A small figure with nothing that says what it counts ("Deal at 2,5", "2.6 works", "let's say 26"): most likely an
 * amount in shorthand, so a yes that has one is not a plain yes to our amount.
 */
export function strayFigure(text: string): string | null {
  const m = mentions(text).find((x) => x.role === 'small' && x.currency == null && !x.q.words);
  return m ? m.text : null;
}

const COUNTED_UNIT = new RegExp(
  String.raw`(?<![\p{L}\d])(?<n>\d+|${Object.keys(SMALL_WORDS).join('|')})\s+${PLATFORM}(?<unit>${UNIT})(?![\p{L}])`,
  'giu',
);
const RESTRICTED_UNIT = new RegExp(
  [
    String.raw`(?<![\p{L}])(?:only|just|solo|sólo|nur|seulement|uniquement|apenas|só|alleen|tylko|bara|kun|только)\s+(?:[\p{L}]+\s+){0,2}(?:${UNIT})(?![\p{L}])`,
    String.raw`(?<![\p{L}])(?:${UNIT})\s+only(?![\p{L}])`,
    String.raw`(?<![\p{L}])(?:without|except|minus|skip(?:ping)?|drop(?:ping)?|remov(?:e|ing)|cut(?:ting)?|no|sin|ohne|sans|sem|senza|zonder|bez|utan|uden|uten|без)\s+(?:[\p{L}]+\s+){0,2}(?:${UNIT})(?![\p{L}])`,
    String.raw`(?<![\p{L}])(?:${UNIT})\s+(?:are|is)\s+(?:extra|not\s+included|separate)(?![\p{L}])`,
  ].join('|'),
  'iu',
);

/**
 * Their words name deliverables other than the package being negotiated: a count that differs from it ("1 Reel
 * and 1 Story" for 1 Reel and 2 Stories), a unit it does not have, or a restriction ("the Reel only", "without the
 * Stories"). A yes to our amount with it is a yes to another deal (D2: never agreed as if it were ours).
 */
export function changesPackage(text: string, pkg: string | null): boolean {
  if (RESTRICTED_UNIT.test(text)) return true;
  const units = packageUnits(pkg);
  if (!units) return false;
  for (const m of text.matchAll(COUNTED_UNIT)) {
    const unit = canon(m.groups?.unit ?? '');
    const n = countOf(m.groups?.n);
    if (!unit || unit === 'any' || n == null || n > 20) continue; // "I posted 150 Reels last year": not a package
    if (units.get(unit) !== n) return true;
  }
  return false;
}

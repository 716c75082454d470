// Platform: the largest requested share (D12), e.g. "60% Instagram, 40% TikTok" -> instagram.
import { PLATFORMS, type Platform } from '../domain.ts';
import { show } from './fields.ts';

const PLATFORM_WORDS: [Platform, RegExp][] = [
  ['instagram', /\b(instagram|insta|ig)\b/gi],
  ['tiktok', /\b(tik ?tok|tt)\b/gi],
  ['youtube', /\b(you ?tube|yt)\b/gi],
];

export function platformsIn(text: string): { platform: Platform; at: number }[] {
  const found: { platform: Platform; at: number }[] = [];
  for (const [platform, re] of PLATFORM_WORDS) {
    for (const m of text.matchAll(re)) found.push({ platform, at: m.index });
  }
  return found.sort((a, b) => a.at - b.at);
}

/**
 * The platform with the largest share in a free-text distribution ("60% TikTok, 40% IG", "Instagram 70 / YouTube
 * 30", "IG Reels 30%, IG Stories 30%, TikTok 40%" -> instagram: shares of one platform add up). A tie goes to the
 * platform named first; with no numbers, the first platform named. A largest share on a platform the agent does
 * not negotiate on (e.g. "70% Snapchat") is a problem, not a fallback.
 */
export function platformFromDistribution(text: string): { platform: Platform } | { problem: string } {
  const shares = new Map<string, { name: string; share: number; first: number; known: boolean }>();
  const mentions = platformsIn(text);
  let offset = 0;
  for (const segment of text.split(/([,;\n|/+&]|\band\b)/i)) {
    const start = offset;
    offset += segment.length;
    // The percentage if the segment has one ("TikTok (18-24) 60%"), else its first number ("Instagram 70").
    const number = /(\d+(?:\.\d+)?)\s*%/.exec(segment) ?? /(\d+(?:\.\d+)?)/.exec(segment);
    if (!number) continue;
    const share = Number(number[1]);
    const known = platformsIn(segment);
    const names = known.length
      ? [...new Set(known.map((k) => k.platform))]
      : [
          segment
            .replace(/(\d+(?:\.\d+)?)\s*%?/g, ' ')
            .replace(/[:=()-]/g, ' ')
            .replace(/\s+/g, ' ')
            .trim(),
        ].filter(Boolean);
    for (const name of names) {
      const key = known.length ? name : name.toLowerCase();
      const prior = shares.get(key);
      shares.set(key, {
        name: prior?.name ?? name,
        share: (prior?.share ?? 0) + share,
        first: prior?.first ?? start,
        known: known.length > 0,
      });
    }
  }
  const ranked = [...shares.entries()].sort(
    (a, b) => b[1].share - a[1].share || Number(b[1].known) - Number(a[1].known) || a[1].first - b[1].first,
  );
  if (ranked.length) {
    const top = ranked[0][1];
    if (top.known) return { platform: top.name as Platform };
    return {
      problem: `the largest share (${top.share}%) is for ${show(top.name)}, not a platform the agent negotiates on (${PLATFORMS.join(', ')})`,
    };
  }
  if (mentions.length) return { platform: mentions[0].platform };
  return { problem: `${show(text)} names no platform the agent negotiates on (${PLATFORMS.join(', ')})` };
}

/** Large and hostile reply bodies for the extraction's time bound (D16: ≤ 50 ms for 1 MB, or uncertain). */

const PARAGRAPH =
  'Thanks for the update on the campaign timeline, we will review the brief with the team and come back to you. ' +
  'The Reel would go live first, then the Stories within the same week, with the usual link in bio.';

/** A reply on top of a long thread: each earlier message quoted one level deeper, up to `size` characters. */
export function deepQuotedReply(size: number): string {
  const parts = ['Sounds great, let us do it!', '', 'Maya', ''];
  let length = parts.join('\n').length;
  for (let depth = 1; length < size; depth++) {
    const prefix = '> '.repeat(Math.min(depth, 60));
    const block = [
      `${prefix}On Tue, Mar 3, 2026 at 9:14 AM Deals Team <deals@agency.example> wrote:`,
      prefix.trimEnd(),
      ...Array.from({ length: 6 }, () => `${prefix}${PARAGRAPH}`),
      `${prefix}- Rate: ~~$2,${(200 + depth) % 1000}.00~~ $2,000.00`,
      prefix.trimEnd(),
    ];
    const text = block.join('\n');
    parts.push(text);
    length += text.length + 1;
  }
  return parts.join('\n').slice(0, size);
}

/** Bodies built to make a careless line regex backtrack or a quadratic scan crawl, each about `size` chars. */
export function pathologicalReplies(size: number): Record<string, string> {
  const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  return {
    'one huge line': `Deal! ${fill('On Tue 3 Mar 2026 9:14 wrote ')}`,
    'dashes without end': fill('-'),
    'underscores and spaces': fill('_ '),
    'nested markers': fill('>'),
    'attribution-like lines': fill('On Tue, Mar 3, 2026 at 9:14 AM Deals Team <deals@agency.example> wrote\n'),
    'header-like lines': fill('From: a\nSent: b\nTo: c\n'),
    'sign-off storm': fill('Best,\nMaya\n'),
    'blank lines': `Deal!${fill('\n')}`,
    'long words': fill(`${'x'.repeat(5000)} `),
    'colons and dates': fill('12.03.2026, 09:14, "x" <a@b.c>: '),
    'framed-looking lines': fill(`-- ${'a -'.repeat(95)}x\n`),
    'sign-off punctuation': fill(`\nBest${', '.repeat(140)}x\n`),
    'spaces then a word': `${' '.repeat(size - 1)}x`,
    'long tokens without an address': fill(`${'a'.repeat(299)}\n`),
    'label runs': fill(`${'Word word word: '.repeat(18)}\n`),
  };
}

/**
 * Slack's Block Kit limits (decisions D19), in one place: every message passes through fitMessage on its way out
 * (both chat adapters) and every update through fitBlocks, so a builder never has to count characters and no
 * message is refused for its size. Texts are cut after escaping, on a character (grapheme) boundary and never
 * inside an entity (`&amp;`) or a `<link|label>`; lengths are UTF-16 code units (JS length), never fewer than
 * the characters Slack counts.
 */

export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  /** Slack truncates a message's top-level text beyond this. */
  messageText: 40_000,
} as const;

/** The notification text beside blocks (Slack recommends at most 4,000 characters). */
const FALLBACK_TEXT = 4000;
/** A message without blocks (the plain version of a refused one): under Slack's 40,000 with room to spare. */
const PLAIN_TEXT = 39_000;
const ELLIPSIS = '…';

/** Escapes Slack mrkdwn control characters: no <!channel>, <@user> or <link|label> from untrusted text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** The longest prefix of at most `max` code units ending on a character boundary (a code point one if need be). */
function prefix(text: string, max: number): string {
  let end = 0;
  // A boundary depends only on what comes before it and the next code point (two code units at most).
  for (const { index, segment } of graphemes.segment(text.slice(0, max + 2))) {
    if (index + segment.length > max) break;
    end = index + segment.length;
  }
  if (end === 0 && max > 0) end = /[\uD800-\uDBFF]/.test(text[max - 1] ?? '') ? max - 1 : max; // one huge cluster
  return text.slice(0, end);
}

/** Plain text cut to `max` code units with an ellipsis, never splitting a character. */
export function cutPlain(text: string, max: number): string {
  const t = text.toWellFormed();
  return t.length <= max ? t : prefix(t, max - ELLIPSIS.length) + ELLIPSIS;
}

/** Escaped mrkdwn cut to `max` code units: also never inside an entity or a `<…>` link or mention. */
export function cutMrkdwn(text: string, max: number): string {
  const t = text.toWellFormed();
  if (t.length <= max) return t;
  const head = prefix(t, max - ELLIPSIS.length)
    .replace(/&[#A-Za-z0-9]*$/, '')
    .replace(/<[^>]*$/, '');
  return head + ELLIPSIS;
}

/**
 * Items packed into as few sections as fit (the heading first), for notices of any length: at most `maxSections`
 * sections, the rest counted in a closing "…and N more" line. Heading and items are escaped mrkdwn.
 */
export function listSections(heading: string, items: string[], maxSections = 40): unknown[] {
  const max = LIMITS.sectionText;
  const reserve = 40; // room for the closing "…and N more" line
  const texts: string[] = [];
  let current = cutMrkdwn(heading, max - reserve);
  let shown = 0;
  for (const raw of items) {
    const item = cutMrkdwn(raw, max - reserve);
    const last = texts.length + 1 === maxSections;
    if (current.length + 1 + item.length > max - (last ? reserve : 0)) {
      if (last) break;
      texts.push(current);
      current = item;
    } else current = current ? `${current}\n${item}` : item;
    shown++;
  }
  if (shown < items.length) current += `\n…and ${items.length - shown} more`;
  texts.push(current);
  return texts.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A text object within `max`: mrkdwn cut as mrkdwn, plain_text as plain; never empty (Slack refuses that). */
function fitText(value: unknown, max: number): unknown {
  if (!isObj(value) || typeof value.text !== 'string') return value;
  const text = value.type === 'mrkdwn' ? cutMrkdwn(value.text, max) : cutPlain(value.text, max);
  return { ...value, text: text || ELLIPSIS };
}

function fitElement(element: unknown): unknown {
  if (!isObj(element)) return element;
  if (element.type === 'button') {
    return {
      ...element,
      text: fitText(element.text, LIMITS.buttonText),
      ...(typeof element.value === 'string' ? { value: cutPlain(element.value, LIMITS.buttonValue) } : {}),
    };
  }
  if (element.type === 'mrkdwn' || element.type === 'plain_text') return fitText(element, LIMITS.sectionText);
  return element;
}

/** One block within its limits; a section with more than 10 fields becomes several sections. */
function fitBlock(block: unknown): unknown[] {
  if (!isObj(block)) return [block];
  switch (block.type) {
    case 'header':
      return [{ ...block, text: fitText(block.text, LIMITS.headerText) }];
    case 'context':
      return [{ ...block, elements: asArray(block.elements).slice(0, LIMITS.contextElements).map(fitElement) }];
    case 'actions':
      return [{ ...block, elements: asArray(block.elements).slice(0, LIMITS.actionsElements).map(fitElement) }];
    case 'section': {
      const { fields, ...rest } = block;
      const head: Obj = {
        ...rest,
        ...(rest.text ? { text: fitText(rest.text, LIMITS.sectionText) } : {}),
        ...(rest.accessory ? { accessory: fitElement(rest.accessory) } : {}),
      };
      const all = asArray(fields).map((f) => fitText(f, LIMITS.fieldText));
      if (!all.length) return [fields === undefined ? head : { ...head, fields }];
      const sections: Obj[] = [];
      for (let i = 0; i < all.length; i += LIMITS.fields) {
        const chunk = all.slice(i, i + LIMITS.fields);
        sections.push(i === 0 ? { ...head, fields: chunk } : { type: 'section', fields: chunk });
      }
      return sections;
    }
    default:
      return [block];
  }
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const KEPT = new Set(['header', 'actions', 'context']); // the title, the buttons and the link survive a cut

/** At most 50 blocks: sections are dropped from the end first, and a line says how many. */
function capBlocks(blocks: unknown[]): unknown[] {
  if (blocks.length <= LIMITS.blocks) return blocks;
  const dropped = new Set<number>();
  let excess = blocks.length - (LIMITS.blocks - 1); // one block says what was left out
  for (let i = blocks.length - 1; i >= 0 && excess > 0; i--) {
    const block = blocks[i];
    if (isObj(block) && KEPT.has(String(block.type))) continue;
    dropped.add(i);
    excess--;
  }
  const first = Math.min(...dropped);
  const note = { type: 'section', text: { type: 'mrkdwn', text: `_…and ${dropped.size} more blocks not shown_` } };
  return blocks.flatMap((b, i) => (i === first ? [note] : dropped.has(i) ? [] : [b])).slice(0, LIMITS.blocks);
}

/** Blocks within every limit Slack checks (text lengths, field and element counts, 50 blocks). */
export function fitBlocks(blocks: readonly unknown[]): unknown[] {
  return capBlocks(blocks.flatMap(fitBlock));
}

/**
 * A message on its way out, blocks fitted. Its `text` is the plain notification fallback, escaped here like the
 * blocks; `textIs: 'mrkdwn'` keeps an already escaped text (chat.update reuses the posted one).
 */
export function fitMessage<M extends { text: string; blocks: readonly unknown[] }>(
  message: M,
  textIs: 'plain' | 'mrkdwn' = 'plain',
): M {
  const text = textIs === 'plain' ? escapeMrkdwn(message.text) : message.text;
  return { ...message, text: cutMrkdwn(text, FALLBACK_TEXT), blocks: fitBlocks(message.blocks) };
}

/**
 * The plain-text version of a message Slack refused anyway: every header, section, field and context text in
 * order (already escaped mrkdwn), the buttons replaced by a line saying where to act instead.
 */
export function plainVersion(message: { text: string; blocks: unknown[] }): string {
  const parts: string[] = [];
  const textOf = (t: unknown) =>
    isObj(t) && typeof t.text === 'string' ? (t.type === 'mrkdwn' ? t.text : escapeMrkdwn(t.text)) : '';
  for (const block of message.blocks) {
    if (!isObj(block)) continue;
    if (block.type === 'header') parts.push(`*${textOf(block.text)}*`);
    else if (block.type === 'section')
      parts.push([textOf(block.text), ...asArray(block.fields).map(textOf)].filter(Boolean).join('\n'));
    else if (block.type === 'context') parts.push(asArray(block.elements).map(textOf).filter(Boolean).join(' '));
    else if (block.type === 'actions')
      parts.push('_(The buttons could not be shown: act from the dashboard or with /claim.)_');
  }
  const text = parts.filter(Boolean).join('\n\n') || message.text;
  return cutMrkdwn(text, PLAIN_TEXT);
}

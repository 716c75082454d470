/**
 * Block Kit as Slack's Web API checks it, for the fake Slack and for every message the tests see: what Slack
 * refuses with `invalid_blocks` (lengths, counts, required fields, duplicate ids) and `msg_too_long`, reported
 * in Slack's own words with a json-pointer. Written from Slack's published limits, independently of the
 * production code that fits messages to them (services/chat/block-kit.ts). Lengths are JS string lengths.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const BLOCK_TYPES = new Set([
  'section',
  'header',
  'context',
  'actions',
  'divider',
  'image',
  'rich_text',
  'input',
  'file',
  'video',
  'markdown',
]);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The problems Slack would report for a message's blocks (empty: Slack accepts them). */
export function blockProblems(blocks: unknown): string[] {
  const problems: string[] = [];
  const at = (pointer: string, message: string) => problems.push(`${message} [json-pointer:${pointer}]`);
  if (!Array.isArray(blocks)) {
    at('/blocks', 'must be an array');
    return problems;
  }
  if (blocks.length > 50) at('/blocks', 'no more than 50 items allowed');
  const blockIds = new Set<string>();

  const text = (value: unknown, pointer: string, max: number, types: string[] = ['plain_text', 'mrkdwn']) => {
    if (!isObj(value)) return at(pointer, 'must be an object');
    if (!types.includes(String(value.type))) return at(`${pointer}/type`, `must be one of ${types.join(', ')}`);
    if (typeof value.text !== 'string') return at(`${pointer}/text`, 'must be a string');
    if (value.text.length === 0) at(`${pointer}/text`, 'must be more than 0 characters');
    if (value.text.length > max) at(`${pointer}/text`, `must be less than ${max + 1} characters`);
  };
  const maxLength = (value: unknown, pointer: string, max: number) => {
    if (value === undefined) return;
    if (typeof value !== 'string') at(pointer, 'must be a string');
    else if (value.length > max) at(pointer, `must be less than ${max + 1} characters`);
  };
  const element = (e: unknown, pointer: string, actionIds: Set<string>) => {
    if (!isObj(e)) return at(pointer, 'must be an object');
    if (e.type !== 'button') return; // the only interactive element the agent sends
    text(e.text, `${pointer}/text`, 75, ['plain_text']);
    maxLength(e.action_id, `${pointer}/action_id`, 255);
    maxLength(e.value, `${pointer}/value`, 2000);
    maxLength(e.url, `${pointer}/url`, 3000);
    if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger')
      at(`${pointer}/style`, 'must be one of primary, danger');
    if (typeof e.action_id === 'string') {
      if (actionIds.has(e.action_id)) at(`${pointer}/action_id`, `duplicate action_id ${e.action_id}`);
      actionIds.add(e.action_id);
    }
  };

  for (const [i, block] of blocks.entries()) {
    const p = `/blocks/${i}`;
    if (!isObj(block)) {
      at(p, 'must be an object');
      continue;
    }
    if (!BLOCK_TYPES.has(String(block.type))) {
      at(`${p}/type`, `unsupported type: ${String(block.type)}`);
      continue;
    }
    if (block.block_id !== undefined) {
      maxLength(block.block_id, `${p}/block_id`, 255);
      if (blockIds.has(String(block.block_id))) at(`${p}/block_id`, `duplicate block_id ${String(block.block_id)}`);
      blockIds.add(String(block.block_id));
    }
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined)
          at(`${p}/type`, 'must define either `text` or `fields`');
        if (block.text !== undefined) text(block.text, `${p}/text`, 3000);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields)) at(`${p}/fields`, 'must be an array');
          else {
            if (block.fields.length === 0) at(`${p}/fields`, 'must provide at least 1 items');
            if (block.fields.length > 10) at(`${p}/fields`, 'no more than 10 items allowed');
            for (const [j, f] of block.fields.entries()) text(f, `${p}/fields/${j}`, 2000);
          }
        }
        if (block.accessory !== undefined) element(block.accessory, `${p}/accessory`, new Set());
        break;
      }
      case 'header':
        text(block.text, `${p}/text`, 150, ['plain_text']);
        break;
      case 'context': {
        const elements = Array.isArray(block.elements) ? block.elements : null;
        if (!elements?.length) at(`${p}/elements`, 'must provide at least 1 items');
        else if (elements.length > 10) at(`${p}/elements`, 'no more than 10 items allowed');
        elements?.forEach((e, j) => {
          if (isObj(e) && e.type !== 'image') text(e, `${p}/elements/${j}`, 3000);
        });
        break;
      }
      case 'actions': {
        const elements = Array.isArray(block.elements) ? block.elements : null;
        if (!elements?.length) at(`${p}/elements`, 'must provide at least 1 items');
        else if (elements.length > 25) at(`${p}/elements`, 'no more than 25 items allowed');
        const actionIds = new Set<string>();
        elements?.forEach((e, j) => {
          element(e, `${p}/elements/${j}`, actionIds);
        });
        break;
      }
    }
  }
  // JSON carries a lone surrogate as \uD83D; Slack cannot decode it into a character.
  const walk = (v: unknown, pointer: string): void => {
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) at(pointer, 'invalid character (a lone UTF-16 surrogate)');
    } else if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${pointer}/${i}`);
    } else if (isObj(v)) for (const [k, x] of Object.entries(v)) walk(x, `${pointer}/${k}`);
  };
  walk(blocks, '/blocks');
  return problems;
}

/** Slack's verdict on a chat.postMessage/chat.update: null when accepted, else its error body. */
export function slackVerdict(message: { text?: unknown; blocks?: unknown }): Obj | null {
  if (typeof message.text === 'string' && message.text.length > 40_000) return { ok: false, error: 'msg_too_long' };
  if (typeof message.text === 'string' && LONE_SURROGATE.test(message.text))
    return { ok: false, error: 'invalid_arguments' };
  if (message.blocks === undefined) return null;
  const problems = blockProblems(message.blocks);
  if (!problems.length) return null;
  return {
    ok: false,
    error: 'invalid_blocks',
    errors: problems,
    response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
  };
}

/** Throws, naming every problem, when Slack would refuse the message. */
export function assertWithinBlockKit(message: { text?: unknown; blocks?: unknown }, label = 'Slack message'): void {
  const verdict = slackVerdict(message);
  if (verdict) throw new Error(`${label} would be refused by Slack: ${JSON.stringify(verdict)}`);
}

/** GET /sandbox/slack's answer: every message the stand-in holds must be one Slack would accept (D19). */
export function assertStandInMessages(messages: unknown): void {
  if (!Array.isArray(messages)) return;
  messages.forEach((m: { text?: unknown; blocks?: unknown; kind?: unknown }, i) => {
    assertWithinBlockKit(m, `GET /sandbox/slack [${i}] (${String(m.kind)})`);
  });
}

// DOM and formatting helpers. Text from the API (email bodies are untrusted) only ever becomes text nodes or
// attribute values: nothing here parses HTML.

/** @typedef {Node | string | number | null | undefined | false | Child[]} Child */
/** @typedef {Record<string, unknown>} Props */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** @param {string} selector @returns {HTMLElement} */
export function $(selector) {
  const el = document.querySelector(selector);
  if (!(el instanceof HTMLElement)) throw new Error(`missing ${selector}`);
  return el;
}

/** @param {Element} el @param {Props} props */
function setProps(el, props) {
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function')
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else if (key === 'dataset' && el instanceof HTMLElement) Object.assign(el.dataset, value);
    else if (key === 'value' && 'value' in el) /** @type {HTMLInputElement} */ (el).value = String(value);
    else if (key === 'checked' && el instanceof HTMLInputElement) el.checked = Boolean(value);
    else el.setAttribute(key === 'className' ? 'class' : key, value === true ? '' : String(value));
  }
}

/**
 * An element with attributes (`on<event>` functions become listeners) and children (strings become text).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Props} [props] @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  return append(el, children);
}

/** An SVG element (charts). @param {string} tag @param {Props} [props] @param {...Child} children @returns {SVGElement} */
export function svg(tag, props = {}, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  setProps(el, props);
  return append(el, children);
}

/** @template {Element} E @param {E} el @param {Child[]} children @returns {E} */
export function append(el, children) {
  for (const child of /** @type {unknown[]} */ (children).flat(Number.POSITIVE_INFINITY)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * Replaces an element's children. The element that had the focus (found again by its id) gets it back with its
 * caret, so a refresh while someone types loses nothing.
 * @param {Element} el @param {...Child} children
 */
export function replace(el, ...children) {
  const active = document.activeElement;
  const focusedId = active && el.contains(active) ? active.id : '';
  const caret =
    active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement
      ? [active.selectionStart, active.selectionEnd]
      : null;
  el.replaceChildren();
  append(el, children);
  if (focusedId) {
    const again = document.getElementById(focusedId);
    if (again && again !== active) {
      again.focus();
      if (caret && (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement)) {
        try {
          again.setSelectionRange(caret[0], caret[1]);
        } catch {
          // some input types have no caret
        }
      }
    }
  }
  return el;
}

// ---- formatting --------------------------------------------------------------------------------------------------

/** "2600.00" -> "$2,600.00" (the API's money is decimal text, kept exact: no floats). @param {unknown} value */
export function usd(value) {
  if (value === null || value === undefined || value === '') return '—';
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value));
  if (!match) return String(value);
  const [, sign, whole, fraction = '00'] = match;
  return `${sign}$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction.padEnd(2, '0').slice(0, 2)}`;
}

/** Whole dollars when there are no cents ("$2,600"), for compact labels. @param {unknown} value */
export function usdShort(value) {
  return usd(value).replace(/\.00$/, '');
}

/** Money text as a number of cents, for drawing only (never sent back). @param {unknown} value */
export function cents(value) {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(value ?? ''));
  return match ? Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0')) : null;
}

/** @param {number} n */
export const count = (n) => n.toLocaleString('en-US');

/**
 * "1 negotiation", "3 negotiations": a count with its noun, the plural given when it is not noun + "s".
 * @param {number} n @param {string} one @param {string} [many]
 */
export const counted = (n, one, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** @param {string | null | undefined} iso */
export function when(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** "3 h ago", "2 d ago". @param {string | null | undefined} iso @param {number} [now] */
export function ago(iso, now = Date.now()) {
  const t = iso ? new Date(iso).getTime() : Number.NaN;
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** @param {unknown} state */
export const label = (state) => String(state ?? '').replaceAll('_', ' ');

const STATE_WORDS = /** @type {Record<string, string>} */ ({
  initial_offer: 'opening',
  awaiting_reply: 'waiting for reply',
  counter_received: 'reply received',
  counter_sent: 'counter sent',
  agreed: 'agreed',
  rejected: 'rejected',
  escalated: 'needs a decision',
  stale: 'no answer',
  paused: 'paused',
  stopped: 'stopped',
});

/** A state as people say it. @param {unknown} state */
export const stateWords = (state) => STATE_WORDS[String(state)] ?? label(state);

/** @param {unknown} state */
export function badge(state) {
  const s = String(state ?? '');
  return h('span', { class: `badge state-${s.replace(/[^a-z_]/g, '')}`, dataset: { state: s } }, stateWords(s));
}

/** Amounts in a text ("$2,000", "2.5k", "3000 USD") wrapped in <mark>, the rest kept as text. @param {string} text */
export function withAmounts(text) {
  const parts = [];
  const re = /(?:[$€£]\s?\d(?:[\d,.]*\d)?(?:\s?[kK]\b)?|\b\d(?:[\d,.]*\d)?\s?(?:[kK]\b|USD\b|usd\b|dollars\b|EUR\b))/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(h('mark', { class: 'amount' }, m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** A visually hidden label for screen readers. @param {string} text */
export const srOnly = (text) => h('span', { class: 'sr-only' }, text);

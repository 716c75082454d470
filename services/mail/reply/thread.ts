/**
 * The language-independent rule (D16): lines that repeat the text of earlier messages of the same thread (our
 * sent emails, their earlier replies) are quoted history, whatever the client's quoting format. A line repeats
 * the thread when every run of four words in it occurs in one of those messages (shorter lines: the whole line),
 * so re-wrapped quotes match too. Only runs of repeated lines with enough words count, so "Thanks!" written
 * again is still their text.
 */
import { isHistoryFrame } from './history.ts';

const GRAM = 4;
const MIN_RUN_WORDS = 10;
const MAX_THREAD_WORDS = 60_000; // the newest messages first; older ones add little
const MAX_LINE_CHARS = 4_000; // a longer line is never taken for a repeat
const MAX_MESSAGE_CHARS = 200_000;

const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

export interface ThreadIndex {
  has(line: string): boolean | null; // null: no words (blank or punctuation), neutral inside a run
  /** The line is the last line of one of the messages (our sign-off): a quoted message ends there. */
  ends(line: string): boolean;
}

export function indexThread(messages: string[]): ThreadIndex | null {
  const grams = new Set<string>();
  const lastLines = new Set<string>();
  let budget = MAX_THREAD_WORDS;
  for (const message of messages) {
    const last = message.trimEnd().split('\n').at(-1) ?? '';
    if (words(last).length) lastLines.add(words(last).join(' '));
    const w = words(message.slice(0, MAX_MESSAGE_CHARS).replace(/^[\s>]+/gm, '')).slice(0, budget);
    budget -= w.length;
    for (let i = 0; i < w.length; i++) {
      for (let n = 1; n <= GRAM && i + n <= w.length; n++) grams.add(w.slice(i, i + n).join(' '));
    }
    if (budget <= 0) break;
  }
  if (!grams.size) return null;
  return {
    has(line: string) {
      if (line.length > MAX_LINE_CHARS) return false;
      const w = words(line.replace(/^[\s>]+/, ''));
      if (!w.length) return null;
      if (w.length <= GRAM) return grams.has(w.join(' '));
      for (let i = 0; i + GRAM <= w.length; i++) if (!grams.has(w.slice(i, i + GRAM).join(' '))) return false;
      return true;
    },
    ends(line: string) {
      return line.length <= MAX_LINE_CHARS && lastLines.has(words(line.replace(/^[\s>]+/, '')).join(' '));
    },
  };
}

/**
 * Marks as quoted the runs of own lines that repeat the thread (blank lines inside a run allowed), and the
 * attribution or header lines just above each run. `own[i]` is false for lines already quoted.
 */
export function markRepeats(
  lines: string[],
  own: boolean[],
  index: ThreadIndex,
  tick: (i: number) => void,
): { first: number } {
  let first = -1;
  let i = 0;
  while (i < lines.length) {
    tick(i);
    if (!own[i] || index.has(lines[i]) !== true) {
      i++;
      continue;
    }
    // A run: repeated lines and blank ones, starting and ending on a repeated line.
    let end = i;
    let count = 0;
    for (let j = i; j < lines.length && own[j]; j++) {
      const has = index.has(lines[j]);
      if (has === false) break;
      if (has) {
        count += words(lines[j]).length;
        end = j + 1;
      }
    }
    if (count >= MIN_RUN_WORDS) {
      let start = i;
      while (start > 0 && own[start - 1] && isHistoryFrame(lines[start - 1])) start--;
      for (let j = start; j < end; j++) own[j] = false;
      if (first < 0) first = start;
    }
    i = end;
  }
  return { first };
}

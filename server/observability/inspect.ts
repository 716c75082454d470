/**
 * Watching negotiations' machines (opt-in): the Stately inspector over a WebSocket (`INSPECT=ws://…`, e.g. the
 * local server of `npx @statelyai/inspect`) or Stately Sky (`INSPECT=sky`), and a JSON-lines log of inspection
 * events for offline debugging (`INSPECT_LOG=path`). Email addresses, people's names (display names included),
 * amounts and message texts are redacted unless INSPECT_REDACT=false, because the inspector runs outside the
 * service's trust boundary.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AnyEventObject, InspectionEvent } from 'xstate';
import type { Logger } from './logger.ts';

export interface InspectSettings {
  target: 'off' | 'sky' | string; // string = a ws:// or wss:// URL
  logPath: string | undefined;
  redact: boolean;
}

const TEXT_KEYS = new Set([
  'text',
  'html',
  'prose',
  'draft',
  'evidence',
  'summary',
  'subject',
  'raw',
  'signature',
  'quoted',
]);
const NAME_KEY = /name$/i; // name, influencerName, agencyName, agentName...
const CONTACT_KEYS = new Set(['from', 'to', 'cc', 'bcc', 'replyTo', 'sender', 'recipient']);
const EMAIL = /[^\s@<>"']+@[^\s@<>"']+/g;
const ANGLE_ADDRESS = /<[^\s@<>"']+@[^\s@<>"']+>/g;
// The display name just before an <address>: a quoted string, or words on the same line ("Lopez, Maya" included)
const NAME_BEFORE = /(?:"(?:[^"\\\r\n]|\\.)*"|[^\s<>"@:;()[\]][^<>"@:;()[\]\r\n]*)\s*$/;
const COMMENTED_ADDRESS = /([^\s@<>"'(]+@[^\s@<>"'()]+)\s*\([^()\r\n]{0,300}\)/g; // addr (Name)
const MONEY = /(?:[$€£]\s?\d[\d,.]*k?|\b\d[\d,.]*\s?(?:usd|dollars?)\b)/gi;

/**
 * Display names and addresses out of a string: "Maya Lopez <maya@x.com>" -> "[name] <[email]>" (the name's start
 * is a guess: a few words before it may go too, never fewer). Each address is looked at once: linear time.
 */
function redactContacts(text: string): string {
  if (!text.includes('@')) return text;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(ANGLE_ADDRESS)) {
    const before = text.slice(Math.max(last, m.index - 300), m.index);
    const name = NAME_BEFORE.exec(before)?.[0] ?? '';
    out += `${text.slice(last, m.index - name.length)}${name ? '[name] ' : ''}<[email]>`;
    last = m.index + m[0].length;
  }
  out += text.slice(last);
  return out.replace(COMMENTED_ADDRESS, '[email] ([name])').replace(EMAIL, '[email]');
}

/**
 * A deep copy of plain data with emails, people's names (display names in From/To and "Name <address>" anywhere,
 * …name fields), amounts (…Cents fields and money in text) and free texts replaced. Anything else (actor
 * references, functions) is left out, and cycles are cut.
 */
export function redact<T>(value: T, key = '', seen = new WeakSet<object>()): T {
  if (typeof value === 'string') {
    if (TEXT_KEYS.has(key)) return '[text]' as T;
    if (NAME_KEY.test(key)) return '[name]' as T;
    if (CONTACT_KEYS.has(key)) return '[contact]' as T;
    return redactContacts(value).replace(MONEY, '[amount]') as T;
  }
  if (typeof value === 'number' && /cents$/i.test(key)) return '[amount]' as T;
  if (!value || typeof value !== 'object') return typeof value === 'function' ? (undefined as T) : value;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return undefined as T;
  if (seen.has(value)) return '[circular]' as T; // `seen` holds the ancestors only: shared objects are copied
  seen.add(value);
  const copy = Array.isArray(value)
    ? value.map((v) => redact(v, key, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k, seen)]));
  seen.delete(value);
  return copy as T;
}

/** Null when neither the inspector nor the log is asked for; the inspector package is loaded only when it is. */
export async function createInspection(settings: InspectSettings, logger: Logger) {
  if (settings.target === 'off' && !settings.logPath) return null;
  const clean = <T>(value: T) => (settings.redact ? redact(value) : value);
  const options = {
    sanitizeContext: (context: Record<string, unknown>) => clean(context),
    sanitizeEvent: (event: AnyEventObject) => clean(event),
    // everything sent (actor input and definitions included) passes through here last
    serialize: <E>(event: E) => clean(event),
  };
  let remote = null;
  if (settings.target !== 'off') {
    const { createSkyInspector, createWebSocketInspector } = await import('@statelyai/inspect');
    remote =
      settings.target === 'sky'
        ? createSkyInspector({ ...options, onerror: (error) => logger.warn('inspector', { error: String(error) }) })
        : createWebSocketInspector({ ...options, url: settings.target });
  }
  if (settings.logPath) mkdirSync(dirname(settings.logPath), { recursive: true });
  const log = settings.logPath ? createWriteStream(settings.logPath, { flags: 'a' }) : null;
  let stopped = false; // actors stopping at shutdown still report; nothing is written after stop

  return {
    inspect(event: InspectionEvent, negotiationId: string) {
      if (stopped) return;
      remote?.inspect.next?.(event);
      if (!log) return;
      const actor = (event.actorRef as { id?: string }).id;
      const line: Record<string, unknown> = { at: new Date().toISOString(), negotiationId, type: event.type, actor };
      if (event.type === '@xstate.event') line.event = clean(event.event);
      if (event.type === '@xstate.snapshot') {
        const snapshot = event.snapshot as { value?: unknown; status?: string; context?: unknown };
        Object.assign(line, { event: clean(event.event), value: snapshot.value, status: snapshot.status });
        line.context = clean(snapshot.context);
      }
      log.write(`${JSON.stringify(line)}\n`);
    },
    stop() {
      stopped = true;
      remote?.stop();
      log?.end();
    },
  };
}

/**
 * Watching negotiations' machines (opt-in): the Stately inspector over a WebSocket (`INSPECT=ws://…`, e.g. the
 * local server of `npx @statelyai/inspect`) or Stately Sky (`INSPECT=sky`), and a JSON-lines log of inspection
 * events for offline debugging (`INSPECT_LOG=path`). Email addresses, amounts and message texts are redacted
 * unless INSPECT_REDACT=false, because the inspector runs outside the service's trust boundary.
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

const TEXT_KEYS = new Set(['text', 'prose', 'draft', 'evidence', 'summary', 'subject', 'raw', 'signature', 'name']);
const EMAIL = /[^\s@<>"']+@[^\s@<>"']+/g;
const MONEY = /(?:[$€£]\s?\d[\d,.]*k?|\b\d[\d,.]*\s?(?:usd|dollars?)\b)/gi;

/**
 * A deep copy of plain data with emails, amounts (…Cents fields and money in text) and free texts replaced.
 * Anything else (actor references, functions) is left out, and cycles are cut.
 */
export function redact<T>(value: T, key = '', seen = new WeakSet<object>()): T {
  if (typeof value === 'string') {
    if (TEXT_KEYS.has(key)) return '[text]' as T;
    return value.replace(EMAIL, '[email]').replace(MONEY, '[amount]') as T;
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

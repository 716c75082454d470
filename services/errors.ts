/**
 * What a command refuses, in the domain's words: the caller's mistake, a missing thing, a state that does not
 * allow it, or input that is well-formed but cannot be acted on. The use cases throw these; the HTTP layer maps
 * each kind to a status (server/http/errors.ts), the Slack layer shows the message (server/slack/listeners.ts).
 */
import type { z } from 'zod';

export type RefusalKind = 'invalid' | 'not_found' | 'conflict' | 'unprocessable';

export class DomainError extends Error {
  readonly kind: RefusalKind;
  /** A stable machine-readable reason (the API's `error.code`). */
  readonly code: string;
  constructor(kind: RefusalKind, code: string, message: string) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
  }
}

/** The request itself is wrong (a missing or malformed field). */
export class Invalid extends DomainError {
  constructor(code: string, message: string) {
    super('invalid', code, message);
  }
}

export class NotFound extends DomainError {
  constructor(message: string, code = 'not_found') {
    super('not_found', code, message);
  }
}

/** The thing exists but its state does not allow this now. */
export class Conflict extends DomainError {
  constructor(code: string, message: string) {
    super('conflict', code, message);
  }
}

/** Well-formed, but the rules refuse it (a campaign that cannot start, a rate no rule accepts). */
export class Unprocessable extends DomainError {
  constructor(code: string, message: string) {
    super('unprocessable', code, message);
  }
}

/** A zod error in words a person can act on: each bad field with what is wrong (at most ten). */
export function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}

import type { RefusalKind } from '../../services/errors.ts';

/** An error that becomes a JSON response `{ error: { code, message } }` (api.md). */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The status of each kind of domain refusal (services/errors.ts). */
export const REFUSAL_STATUS: Record<RefusalKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
};

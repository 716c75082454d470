/** Request validation: one zod schema per input, a clear 400 naming each bad field. */
import type { z } from 'zod';
import { HttpError } from './errors.ts';

export function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}

/** The parsed input, or a 400 `{ error: { code, message } }` listing what is wrong. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, code = 'invalid_request'): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, code, zodMessage(result.error));
  return result.data;
}

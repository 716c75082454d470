/** Request validation: one zod schema per input, a clear 400 naming each bad field. */
import type { z } from 'zod';
import { zodMessage } from '../../services/errors.ts';
import { HttpError } from './errors.ts';

/** The parsed input, or a 400 `{ error: { code, message } }` listing what is wrong. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, code = 'invalid_request'): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, code, zodMessage(result.error));
  return result.data;
}

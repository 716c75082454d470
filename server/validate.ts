/** Turns a zod error into one readable sentence naming each bad field. */
import type { z } from 'zod';

export function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}

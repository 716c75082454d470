/** winston JSON logs; the request id (and negotiation id where known) is merged into every line. */
import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';

export const logContext = new AsyncLocalStorage<Record<string, string>>();

const withContext = winston.format((info) => Object.assign(info, logContext.getStore() ?? {}, info));

export type Logger = winston.Logger;

export function createLogger(level: string, silent = false): Logger {
  return winston.createLogger({
    level,
    silent,
    defaultMeta: { service: 'negotiation-agent' },
    format: winston.format.combine(
      withContext(),
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console()],
  });
}

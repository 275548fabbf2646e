import pino from 'pino';
import { config } from './config.ts';

// Secrets never reach the log, whatever a caller passes in.
export const log = pino({
  level: config().TETHER_LOG_LEVEL,
  base: { app: 'tether' },
  redact: { paths: ['password', '*.password', 'token', '*.token', 'apiKey', '*.apiKey', 'headers.cookie', 'req.headers.cookie'], censor: '[redacted]' },
});

export type Logger = typeof log;

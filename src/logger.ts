import winston from 'winston';

export type Logger = winston.Logger;

/**
 * JSON logs on stdout. Callers log digests, codes and ids only — never document content,
 * account data or key material; `redact` is the last line of defence for obvious field names.
 */
const SENSITIVE = new Set(['iban', 'iin', 'accounts', 'movements', 'content', 'body', 'key', 'privateKey', 'balance']);

const redact = winston.format((info) => {
  for (const k of Object.keys(info)) if (SENSITIVE.has(k)) info[k] = '[redacted]';
  return info;
});

export function createLogger(opts: { level: string; silent?: boolean; stream?: NodeJS.WritableStream }): Logger {
  return winston.createLogger({
    level: opts.level,
    silent: opts.silent ?? false,
    format: winston.format.combine(redact(), winston.format.timestamp(), winston.format.json()),
    transports: [opts.stream ? new winston.transports.Stream({ stream: opts.stream }) : new winston.transports.Console()],
  });
}

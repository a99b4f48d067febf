/** One-line JSON logs, so worker output can be shipped and filtered as is. */
type Level = 'debug' | 'info' | 'warn' | 'error';

/** Errors have no enumerable fields: spell out what a reader of the log needs. */
function serializable(value: unknown): unknown {
  if (value instanceof Error) {
    const cause = (value as Error & { cause?: unknown }).cause;
    return { name: value.name, message: value.message, stack: value.stack, ...(cause ? { cause: serializable(cause) } : {}) };
  }
  return value;
}

function write(level: Level, message: string, fields: Record<string, unknown> = {}) {
  const entries = Object.entries(fields).map(([k, v]) => [k, serializable(v)]);
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...Object.fromEntries(entries) });
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
}

export const logger = {
  debug: (m: string, f?: Record<string, unknown>) => write('debug', m, f),
  info: (m: string, f?: Record<string, unknown>) => write('info', m, f),
  warn: (m: string, f?: Record<string, unknown>) => write('warn', m, f),
  error: (m: string, f?: Record<string, unknown>) => write('error', m, f),
};

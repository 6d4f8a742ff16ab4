import { debuglog } from 'node:util';

/** One log call: a structured object first, then a message (pino's signature). */
export type LogFn = (object: Readonly<Record<string, unknown>>, message?: string) => void;

/**
 * What the guard logs through: any pino-compatible logger (`pino()`, `fastify.log`, a bunyan child…),
 * or `jsonLogger()`. The guard never logs a raw token or proof, only its hash.
 *
 * @example
 * createGuard({ ...options, logger: pino({ level: 'info' }) });
 */
export interface Logger {
  readonly error: LogFn;
  readonly warn: LogFn;
  readonly info: LogFn;
  readonly debug: LogFn;
}

/** Log levels, most severe first. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Readonly<Record<LogLevel, number>> = { error: 50, warn: 40, info: 30, debug: 20 };

/** Options of `jsonLogger()`. */
export interface JsonLoggerOptions {
  /** Least severe level written (default `warn`). */
  readonly level?: LogLevel | undefined;
  /** Where lines go (default `process.stderr`). */
  readonly stream?: { write(line: string): unknown } | undefined;
  /** The `name` member of every line (default `aap-guard`). */
  readonly name?: string | undefined;
}

/**
 * The default logger: one JSON object per line (`time`, `level`, `name`, `msg`, then the fields), on
 * stderr, at `warn` and above — pino's line shape, so the same log tooling reads both.
 *
 * @example
 * const logger = jsonLogger({ level: 'info' });
 * logger.warn({ event: 'jwks.unavailable', cause: 'ECONNREFUSED' }, 'JWKS unreachable');
 */
export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const level = options.level ?? 'warn';
  if (!Object.hasOwn(RANK, level))
    throw new TypeError(`jsonLogger({ level }) must be one of ${Object.keys(RANK).join(', ')}`);
  const stream = options.stream ?? process.stderr;
  const name = options.name ?? 'aap-guard';
  const write = (at: LogLevel): LogFn =>
    RANK[at] < RANK[level]
      ? () => undefined
      : (object, message) => {
          try {
            stream.write(
              `${JSON.stringify({ time: new Date().toISOString(), level: at, name, msg: message, ...object })}\n`,
            );
          } catch {
            // a logger must never throw into the request path
          }
        };
  return Object.freeze({ error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug') });
}

/** `NODE_DEBUG=aap-guard` (read by Node's `util.debuglog`, not by us): one line per decision. */
const nodeDebug = debuglog('aap-guard');

/**
 * The guard's logger: the given one (its methods validated once), or `jsonLogger()` — at `debug`
 * when `debug: true` or `NODE_DEBUG=aap-guard`. `false` silences everything.
 */
export function resolveLogger(given: Logger | false | undefined, debug: boolean | undefined): Logger {
  if (debug !== undefined && typeof debug !== 'boolean') throw new TypeError('options.debug must be a boolean');
  if (given === false) return SILENT;
  if (given === undefined) return jsonLogger({ level: debug || nodeDebug.enabled ? 'debug' : 'warn' });
  if (given === null || typeof given !== 'object')
    throw new TypeError('options.logger must be a pino-compatible logger { error, warn, info, debug } or false');
  for (const level of ['error', 'warn', 'info', 'debug'] as const) {
    if (typeof given[level] !== 'function') throw new TypeError(`options.logger.${level} must be a function`);
  }
  // Bound, so that a pino instance keeps its `this`; wrapped, so that a throwing logger never reaches a request.
  const safe =
    (fn: LogFn): LogFn =>
    (object, message) => {
      try {
        fn.call(given, object, message);
      } catch {
        // reporting only
      }
    };
  return Object.freeze({
    error: safe(given.error),
    warn: safe(given.warn),
    info: safe(given.info),
    debug: safe(given.debug),
  });
}

const SILENT: Logger = Object.freeze({
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
});

/** The message and code of an error, for a log line: never its stack, never a token. */
export function causeOf(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const inner = error.cause instanceof Error && error.cause !== error ? `: ${error.cause.message}` : '';
    return { cause: `${error.message}${inner}`, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { cause: String(error) };
}

/**
 * The health of one piece of infrastructure (a JWKS, the store, the audit sink), logged once per
 * state change — never once per request: the first failure is an `error` line with its cause, further
 * failures are counted silently, the recovery is an `info` line saying how many were missed.
 */
export class Health {
  #down = false;
  #failures = 0;
  #since = 0;

  constructor(
    private readonly logger: Logger,
    private readonly component: string,
    private readonly fields: Readonly<Record<string, unknown>> = {},
  ) {}

  /** Whether the last outcome was a failure. */
  get isDown(): boolean {
    return this.#down;
  }

  /** Record a failure; logs only the first of a run. */
  down(error: unknown, message: string): void {
    this.#failures += 1;
    if (this.#down) return;
    this.#down = true;
    this.#since = Date.now();
    this.logger.error(
      { event: `${this.component}.down`, component: this.component, ...this.fields, ...causeOf(error) },
      message,
    );
  }

  /** Record a success; logs the recovery when it follows failures. */
  up(message = `${this.component} recovered`): void {
    if (!this.#down) return;
    this.#down = false;
    const failures = this.#failures;
    this.#failures = 0;
    this.logger.info(
      {
        event: `${this.component}.up`,
        component: this.component,
        ...this.fields,
        failures,
        downMs: Date.now() - this.#since,
      },
      message,
    );
  }
}

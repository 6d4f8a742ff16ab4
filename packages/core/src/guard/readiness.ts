import type { GuardRuntime } from '../options/resolve.js';
import { InfrastructureError } from '../base/util/errors.js';
import { NotReadyError } from '../base/util/not-ready-error.js';
import { causeOf } from '../base/log/logger.js';

/** Options of `guard.ready()`. */
export interface ReadyOptions {
  /** How long to wait at most, in ms (default 10000). */
  readonly timeoutMs?: number | undefined;
}

/** One part that must be ready, and how to name its failure. */
interface Part {
  readonly run: () => Promise<void>;
  readonly failed: (error: unknown) => string;
  readonly late: string;
}

const REVOCATION = 'revocation list not synchronized (store unreachable?)';

/**
 * Make the guard ready to serve, within `timeoutMs`: discover metadata and fetch the JWKS of every
 * issuer (past any failure backoff; a fresh set is not fetched again) and wait for the revocation list
 * to be in sync with the store. Rejects with a `NotReadyError` naming each part that failed or did not
 * finish in time; a fetch still running at the deadline finishes in the background (its failure is
 * logged, never an unhandled rejection).
 */
export async function ready(runtime: GuardRuntime, options: ReadyOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new TypeError('ready({ timeoutMs }) must be a positive integer number of ms');
  }
  const parts: Part[] = runtime.token.keys.sources.map(({ source, issuers }) => ({
    run: () => source.prefetch(),
    failed: (error) =>
      `keys of ${issuers.join(', ')}: ${error instanceof InfrastructureError ? error.message : causeOf(error).cause}`,
    late: `keys of ${issuers.join(', ')}: ${source.describe()} did not answer within ${timeoutMs} ms`,
  }));
  parts.push({ run: () => runtime.revocation.local.whenSynced(), failed: () => REVOCATION, late: REVOCATION });
  const causes = await settleWithin(parts, timeoutMs);
  if (causes.length > 0) throw new NotReadyError(causes);
}

/** Run every part; the causes of those that failed or were still running at the deadline. */
async function settleWithin(parts: readonly Part[], timeoutMs: number): Promise<string[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  try {
    const outcomes = await Promise.all(
      parts.map(async (part) => {
        const running = Promise.resolve().then(part.run);
        running.catch(() => undefined); // after the deadline: logged by its source, never unhandled
        try {
          return (await Promise.race([running, deadline])) === 'late' ? part.late : undefined;
        } catch (error) {
          return part.failed(error);
        }
      }),
    );
    return outcomes.filter((cause): cause is string => cause !== undefined);
  } finally {
    clearTimeout(timer);
  }
}

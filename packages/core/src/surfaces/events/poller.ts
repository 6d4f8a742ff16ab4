import type { GuardSetup } from '../../options/resolve.js';
import { Health } from '../../base/log/logger.js';
import { Backoff } from '../../base/http/backoff.js';
import { FetchError } from '../../base/http/fetch-document.js';
import { secureUrl } from '../../base/util/secure-url.js';
import type { SetError, SetOutcome } from './verify-set.js';

/** Options of `receiver.poll()` (RFC 8936). */
export interface PollOptions {
  /** The transmitter's poll endpoint. */
  readonly endpoint: string;
  /** Headers of every poll request (e.g. `authorization`), or a function giving them (fresh credentials). */
  readonly headers?:
    | Readonly<Record<string, string>>
    | (() => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>)
    | undefined;
  /** Ms between polls that found nothing more (default 5000; the draft's 30 s bound is the upper limit to keep). */
  readonly intervalMs?: number | undefined;
  /** `maxEvents` asked per poll (default 100). */
  readonly maxEvents?: number | undefined;
  /** Timeout of one poll in ms (default 5000). */
  readonly timeoutMs?: number | undefined;
  /** Start polling at once (default true); with false, call `pollOnce()` yourself. */
  readonly autoStart?: boolean | undefined;
}

/** What one poll did. */
export interface PollReport {
  readonly outcomes: readonly SetOutcome[];
  readonly moreAvailable: boolean;
}

/** A running RFC 8936 poller. */
export interface SecurityEventPoller {
  /**
   * One poll: acknowledge what was processed, fetch and process up to `maxEvents` SETs. Rejects when the endpoint
   * fails.
   */
  pollOnce(): Promise<PollReport>;
  /** Stop polling; resolves once the poll in flight (if any) is done. */
  stop(): Promise<void>;
}

/**
 * Poll a transmitter for SETs (RFC 8936 §2.4): POST `{ ack, setErrs, maxEvents, returnImmediately: true }`,
 * process each SET of `sets` with `process` (verified and applied exactly like a pushed one), and acknowledge
 * it in the next poll — or report it in `setErrs` when refused. A SET that met an outage (store, keys) is
 * neither: the transmitter delivers it again. Polls again at once while `moreAvailable`, else after
 * `intervalMs`; a failing endpoint backs off (1 s … 5 min) and is logged once per state change
 * (`security-events-poll.down` / `.up`).
 */
export function pollSecurityEvents(
  process: (set: string) => Promise<SetOutcome>,
  options: PollOptions,
  setup: GuardSetup,
): SecurityEventPoller {
  const settings = pollSettings(options, setup.settings.token.allowInsecureRequests);
  const health = new Health(setup.runtime.logger, 'security-events-poll', { endpoint: settings.endpoint.href });
  const backoff = new Backoff(Date.now);
  const receipts = new Receipts();
  const pollOnce = async (): Promise<PollReport> => {
    const sent = receipts.pending();
    const answer = await request(settings, sent, options.headers);
    receipts.delivered(sent);
    const outcomes: SetOutcome[] = [];
    for (const [key, set] of Object.entries(answer.sets))
      outcomes.push(receipts.record(key, typeof set === 'string' ? await process(set) : NOT_A_SET));
    return { outcomes, moreAvailable: answer.moreAvailable };
  };
  const after = (report: PollReport | undefined): number => {
    if (!report) return Math.max(backoff.waitMs(), settings.intervalMs);
    return report.moreAvailable || receipts.owed() ? 0 : settings.intervalMs; // acknowledge at once
  };
  const loop = new Loop(async () => {
    try {
      const report = await pollOnce();
      backoff.succeed();
      health.up('the SET poll endpoint answers again');
      return after(report);
    } catch (error) {
      backoff.fail();
      health.down(error, 'polling for security events failed: revocations from the authorization server are delayed');
      return after(undefined);
    }
  });
  if (options.autoStart !== false) loop.start();
  return { pollOnce, stop: () => loop.stop() };
}

const NOT_A_SET: SetOutcome = { kind: 'refused', error: { err: 'invalid_request', description: 'not a SET' } };

/**
 * What the next poll owes the transmitter (RFC 8936 §2.4): `ack` for SETs applied (or ignored, or duplicates),
 * `setErrs` for refused ones.
 */
class Receipts {
  #ack: string[] = [];
  #errors: Record<string, SetError> = {};

  pending(): { ack: readonly string[]; setErrs: Record<string, SetError> } {
    return { ack: [...this.#ack], setErrs: { ...this.#errors } };
  }

  /** The transmitter received these: forget them. */
  delivered(sent: { ack: readonly string[]; setErrs: Record<string, SetError> }): void {
    this.#ack = this.#ack.filter((jti) => !sent.ack.includes(jti));
    for (const jti of Object.keys(sent.setErrs)) delete this.#errors[jti];
  }

  /** An outage is neither acknowledged nor an error: the transmitter delivers the SET again. */
  record(key: string, outcome: SetOutcome): SetOutcome {
    if (outcome.kind === 'refused') this.#errors[outcome.jti ?? key] = outcome.error;
    else if (outcome.kind !== 'unavailable') this.#ack.push(outcome.jti);
    return outcome;
  }

  owed(): boolean {
    return this.#ack.length > 0 || Object.keys(this.#errors).length > 0;
  }
}

/** Run `step` again after the ms it returns, until stopped; the timer never keeps the process alive. */
class Loop {
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(private readonly step: () => Promise<number>) {}

  start(): void {
    if (this.#stopped) return;
    this.#running = this.step().then((ms) => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => this.start(), ms);
      this.#timer.unref?.();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}

interface PollSettings {
  readonly endpoint: URL;
  readonly intervalMs: number;
  readonly maxEvents: number;
  readonly timeoutMs: number;
}

async function request(
  settings: PollSettings,
  sent: { ack: readonly string[]; setErrs: Record<string, SetError> },
  headers: PollOptions['headers'],
): Promise<{ sets: Record<string, unknown>; moreAvailable: boolean }> {
  const extra = typeof headers === 'function' ? await headers() : (headers ?? {});
  const body = JSON.stringify({
    ack: sent.ack,
    ...(Object.keys(sent.setErrs).length ? { setErrs: sent.setErrs } : {}),
    maxEvents: settings.maxEvents,
    returnImmediately: true,
  });
  const label = `SET poll endpoint ${settings.endpoint.href}`;
  let response: Response;
  try {
    response = await fetch(settings.endpoint, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(settings.timeoutMs),
      headers: { 'content-type': 'application/json', accept: 'application/json', ...extra },
    });
  } catch (error) {
    throw new FetchError(`${label} is unreachable or did not answer within ${settings.timeoutMs} ms`, undefined, {
      cause: error,
    });
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchError(`${label} answered HTTP ${response.status}`, response.status);
  }
  const parsed = (await response.json().catch(() => undefined)) as
    { sets?: unknown; moreAvailable?: unknown } | undefined;
  if (!parsed || parsed.sets === null || typeof parsed.sets !== 'object' || Array.isArray(parsed.sets))
    throw new FetchError(`${label} answered no "sets" object (RFC 8936 §2.5)`);
  return { sets: parsed.sets as Record<string, unknown>, moreAvailable: parsed.moreAvailable === true };
}

function pollSettings(options: PollOptions, allowInsecure: boolean): PollSettings {
  if (options === null || typeof options !== 'object')
    throw new TypeError('poll(options) must be an object with an endpoint');
  // Its answers revoke, and the poll carries the transmitter's credentials: the one URL rule (base/util/secure-url.ts).
  const endpoint = secureUrl(options.endpoint, 'poll(options.endpoint)', allowInsecure);
  const int = (value: unknown, fallback: number, name: string, min: number, max: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw new TypeError(`poll(options.${name}) must be an integer between ${min} and ${max}`);
    return value;
  };
  if (
    options.headers !== undefined &&
    typeof options.headers !== 'function' &&
    (options.headers === null || typeof options.headers !== 'object')
  )
    throw new TypeError('poll(options.headers) must be an object or a function');
  return Object.freeze({
    endpoint,
    intervalMs: int(options.intervalMs, 5_000, 'intervalMs', 1, 300_000),
    maxEvents: int(options.maxEvents, 100, 'maxEvents', 1, 10_000),
    timeoutMs: int(options.timeoutMs, 5_000, 'timeoutMs', 1, 60_000),
  });
}

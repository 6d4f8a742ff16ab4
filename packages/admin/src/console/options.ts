import type { Guard } from '@aap-guard/core';
import { checkKeys } from '@aap-guard/core/node';
import { consoleUrl } from '../console-url.js';
import type { ConsoleSignIn } from './sign-in.js';

/** Options of the approval console (`console` of the admin routers). */
export interface ConsoleOptions {
  /**
   * Where the admin routes are mounted — an absolute URL (`https://api.example.com/aap-admin`) or a path
   * (`/aap-admin`, resolved against the guard's `publicUrl` when set) — so that a new hold's
   * `approval_reference` is its page in this console. Default: the prefix, for Fastify and Koa; Express
   * routers do not know where they are mounted, so give it there.
   */
  readonly url?: string | undefined;
  /** A sign-in form for people without a session of your app (`consoleSignIn()`); accept its session in `authorize`. */
  readonly signIn?: ConsoleSignIn | undefined;
  /** Seconds between a page's checks for holds decided elsewhere (default 5; 0: never). */
  readonly refreshSeconds?: number | undefined;
  /** The console's name in page titles and header (default `Approvals`). */
  readonly title?: string | undefined;
}

/** The console's settings, once validated. */
export interface ConsoleSettings {
  readonly signIn: ConsoleSignIn | undefined;
  readonly refresh: number;
  readonly title: string;
  /** `url` as given (the link is registered already); undefined: the adapter's prefix, when it knows it. */
  readonly url: string | undefined;
}

/**
 * Validate the `console` option of an admin router (`true` or an object turn it on) and register its
 * approval link with the guard. Throws `TypeError` naming the option.
 */
export function resolveConsole(
  given: ConsoleOptions | boolean | undefined,
  guard: Guard,
  name: string,
): ConsoleSettings | undefined {
  if (given === undefined || given === false) return undefined;
  const options: ConsoleOptions = given === true ? {} : given;
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`${name}: options.console must be true or an object`);
  checkKeys(options, ['url', 'signIn', 'refreshSeconds', 'title'], `${name}(options.console)`);
  const { signIn, refreshSeconds = 5, title = 'Approvals' } = options;
  if (signIn !== undefined && (typeof signIn.who !== 'function' || typeof signIn.issue !== 'function')) {
    throw new TypeError(`${name}: options.console.signIn must come from consoleSignIn()`);
  }
  if (
    typeof refreshSeconds !== 'number' ||
    !Number.isFinite(refreshSeconds) ||
    refreshSeconds < 0 ||
    refreshSeconds > 3600
  ) {
    throw new TypeError(`${name}: options.console.refreshSeconds must be a number of seconds in [0, 3600]`);
  }
  if (typeof title !== 'string' || title.length === 0 || title.length > 100)
    throw new TypeError(`${name}: options.console.title must be a string of 1 to 100 characters`);
  if (options.url !== undefined) linkAt(guard, options.url, `${name}: options.console.url`);
  return Object.freeze({ signIn, refresh: refreshSeconds, title, url: options.url });
}

/**
 * Make a new hold's `approval_reference` its page in the console mounted at `url` (see `consoleUrl`),
 * unless `oversight.approvalUrl` is configured or another console of this guard was linked first.
 */
export function linkAt(guard: Guard, url: string, what: string): void {
  try {
    guard.holds.linkApprovals(consoleUrl(url, guard.publicUrl));
  } catch (error) {
    throw new TypeError(`${what}: ${(error as Error).message}`, { cause: error });
  }
}

import type { Guard } from '../../guard/create-guard.js';
import { engineOf } from '../../engine/registry.js';
import { agentsOnly } from '../../concerns/route/agents-only.js';
import type { CompiledRoute } from '../../concerns/route/compile-route.js';

/** What a route report says of a route that the guard checks: how requests WITHOUT an AAP credential fare. */
export interface RouteAdmission {
  /**
   * A request without an AAP credential (or with one `appCredentials` claims for the app): `refused` (401
   * `credentials_missing`), or `passed` on to the app's own authentication (`authRequired: false`, on a
   * route that does not admit agents only).
   */
  readonly others: 'refused' | 'passed';
  /** For a startup log, where others are passed: e.g. `agents checked; others passed to the app`. */
  readonly note?: string | undefined;
}

const NOTES = {
  declared: 'agents checked; others passed to the app',
  undeclared: {
    deny: 'agents refused; others passed to the app',
    allow: 'agents authenticated; others passed to the app',
  },
} as const;

/**
 * How a reported route treats requests without an AAP credential — the same rule the guard enforces
 * (`authRequired`, the declaration's `agentsOnly` and its default for unsafe methods). `route`: the
 * declaration, for a declared route; `method`: as reported (`ALL` counts as a safe method: some of the
 * methods it stands for pass others on); `undeclared`: the adapter's mode, when it overrides the guard's.
 *
 * @example
 * const { others, note } = routeAdmission(aap.guard, 'declared', compiled, 'POST');
 */
export function routeAdmission(
  guard: Guard,
  status: 'declared' | 'undeclared',
  route: CompiledRoute | undefined,
  method: string,
  undeclared?: 'allow' | 'deny',
): RouteAdmission {
  const settings = engineOf(guard).settings;
  if (settings.authRequired) return { others: 'refused' };
  if (status === 'undeclared') return { others: 'passed', note: NOTES.undeclared[undeclared ?? settings.undeclared] };
  const upper = method.toUpperCase();
  if (route && agentsOnly(route, upper === 'ALL' ? 'GET' : upper)) return { others: 'refused' };
  return { others: 'passed', note: NOTES.declared };
}

import { POLICY_NAMES, type PolicyName } from '../base/deny/reasons.js';
import type { GuardOptions } from '../base/types/options.js';

const NONE: ReadonlySet<PolicyName> = new Set();
const ALL: ReadonlySet<PolicyName> = new Set(POLICY_NAMES);

/**
 * Validate `options.reportOnly` once: the set of policies whose denies are reported, not enforced. Throws a
 * `TypeError` naming the option for anything but a boolean or a list of known policy names.
 *
 * @example
 * resolveReportOnly({ ...options, reportOnly: ['destination-ip'] }).has('destination-ip'); // true
 */
export function resolveReportOnly(options: GuardOptions): ReadonlySet<PolicyName> {
  const value: unknown = options.reportOnly;
  if (value === undefined || value === false) return NONE;
  if (value === true) return ALL;
  const valid = Array.isArray(value) && value.every((name) => (POLICY_NAMES as readonly unknown[]).includes(name));
  if (!valid)
    throw new TypeError(
      `options.reportOnly must be a boolean or an array of ${POLICY_NAMES.map((n) => `'${n}'`).join(', ')}`,
    );
  return new Set(value as readonly PolicyName[]);
}

import { validateHandlers } from '../concerns/route/compile-route.js';
import type { ConstraintHandler } from '../base/types/route.js';
import type { GuardOptions } from '../base/types/options.js';
import type { RequestInfo } from '../base/types/request.js';
import { compileCidrs, type AddressMatcher } from '../base/util/cidr.js';

/** Agent policy with its lists as sets; `undefined` when no agent policy was configured. */
export interface AgentRules {
  readonly allow?: ReadonlySet<string> | undefined;
  readonly deny?: ReadonlySet<string> | undefined;
  readonly operators?: ReadonlySet<string> | undefined;
  readonly deniedOperators?: ReadonlySet<string> | undefined;
  readonly deniedModels?: ReadonlySet<string> | undefined;
  readonly requireAttested: boolean;
}

/** Agent, delegation and constraint policy, validated and compiled once at `createGuard()`. */
export interface PolicySettings {
  readonly agents: AgentRules | undefined;
  /** RS-wide maximum delegation depth. */
  readonly maxDepth: number | undefined;
  readonly trustedActor: ((actor: string) => boolean) | undefined;
  /** A delegated token whose parent's capabilities are unknown: admitted and audited, or refused. */
  readonly unknownParent: 'allow-audited' | 'refuse';
  readonly unknownConstraints: 'deny' | 'ignore';
  readonly handlers: Readonly<Record<string, ConstraintHandler>>;
  /** Network zones (for `context.network_zone`) as address matchers. */
  readonly networkZones: ReadonlyMap<string, AddressMatcher>;
  readonly region: ((request: RequestInfo, clientIp: string | undefined) => string | undefined) | undefined;
  /** Whose address `ip_ranges_allowed` holds: the declared target's (default) or the caller's. */
  readonly ipRanges: 'destination' | 'caller';
  /** The application's resolver of target hosts, for `ip_ranges_allowed`. */
  readonly resolveTarget: ((host: string) => Promise<readonly string[]> | readonly string[]) | undefined;
  readonly resolveTimeoutMs: number;
}

/** Validate and compile the policy options. Throws `TypeError` naming the option. */
export function resolvePolicyOptions(options: GuardOptions): PolicySettings {
  const { agents, delegation = {}, constraints = {} } = options;
  const { maxDepth, trustedActor, unknownParent = 'allow-audited' } = delegation;
  if (unknownParent !== 'allow-audited' && unknownParent !== 'refuse')
    throw new TypeError("options.delegation.unknownParent must be 'allow-audited' or 'refuse'");
  if (maxDepth !== undefined && !(Number.isSafeInteger(maxDepth) && maxDepth >= 0)) {
    throw new TypeError('options.delegation.maxDepth must be a non-negative integer');
  }
  optionalFunction(trustedActor, 'delegation.trustedActor');
  optionalFunction(constraints.region, 'constraints.region');
  const unknown = constraints.unknown ?? 'deny';
  if (unknown !== 'deny' && unknown !== 'ignore')
    throw new TypeError("options.constraints.unknown must be 'deny' or 'ignore'");
  validateHandlers(constraints.handlers, 'options.constraints.handlers');
  const ipRanges = constraints.ipRanges ?? 'destination';
  if (ipRanges !== 'destination' && ipRanges !== 'caller')
    throw new TypeError("options.constraints.ipRanges must be 'destination' or 'caller'");
  optionalFunction(constraints.resolveTarget, 'constraints.resolveTarget');
  const resolveTimeoutMs = constraints.resolveTimeoutMs ?? 5000;
  if (!(Number.isSafeInteger(resolveTimeoutMs) && resolveTimeoutMs > 0))
    throw new TypeError('options.constraints.resolveTimeoutMs must be a positive integer');
  return Object.freeze({
    agents: agents === undefined ? undefined : agentRules(agents),
    maxDepth,
    trustedActor,
    unknownParent,
    unknownConstraints: unknown,
    handlers: Object.freeze({ ...constraints.handlers }),
    networkZones: zones(constraints.networkZones),
    region: constraints.region,
    ipRanges,
    resolveTarget: constraints.resolveTarget,
    resolveTimeoutMs,
  });
}

function agentRules(agents: NonNullable<GuardOptions['agents']>): AgentRules {
  const set = (list: readonly string[] | undefined, name: string): ReadonlySet<string> | undefined => {
    if (list === undefined) return undefined;
    if (!Array.isArray(list) || !list.every((entry) => typeof entry === 'string')) {
      throw new TypeError(`options.agents.${name} must be an array of strings`);
    }
    return new Set(list);
  };
  return Object.freeze({
    allow: set(agents.allow, 'allow'),
    deny: set(agents.deny, 'deny'),
    operators: set(agents.operators, 'operators'),
    deniedOperators: set(agents.deniedOperators, 'deniedOperators'),
    deniedModels: set(agents.deniedModels, 'deniedModels'),
    requireAttested: agents.requireAttested === true,
  });
}

function zones(config: Readonly<Record<string, readonly string[]>> | undefined): ReadonlyMap<string, AddressMatcher> {
  const map = new Map<string, AddressMatcher>();
  for (const [zone, ranges] of Object.entries(config ?? {})) {
    const matcher = Array.isArray(ranges) ? compileCidrs(ranges) : undefined;
    if (!matcher)
      throw new TypeError(`options.constraints.networkZones.${zone} must be an array of IP addresses or CIDRs`);
    map.set(zone, matcher);
  }
  return map;
}

function optionalFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`options.${name} must be a function`);
}

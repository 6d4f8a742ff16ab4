import type { Capability } from '../base/claims/model.js';
import { instantRange } from '../concerns/constraints/time-window.js';
import { delegationDepth } from '../base/claims/delegation-depth.js';
import { deny, type Deny } from '../base/deny/deny.js';
import type { CheckContext } from './context.js';
import { isRateLimitConstraint } from '../concerns/rate-limits/windows.js';
import { forwardedProto } from '../base/request/forwarded.js';
import type { ResponseLimits } from '../base/types/decision.js';
import { compileCidrs, type AddressMatcher } from '../base/util/cidr.js';
import { reportOrDeny } from './report-only.js';
import { requestRegion } from '../base/request/region.js';
import { clientIp } from '../base/request/client-ip.js';
import { encodedWith } from '../base/request/content-coding.js';
import { domainEntry, matchesDomain, targetHost } from '../concerns/constraints/domains.js';
import { levelRank } from '../concerns/constraints/levels.js';

/** One constraint of a capability, ready to run against a request. */
export type ConstraintCheck = (ctx: CheckContext, capability: Capability) => Deny | undefined;

/** A capability's constraints compiled once: the checks (AND) and the limits the adapter enforces. */
export interface CompiledCapability {
  readonly checks: readonly ConstraintCheck[];
  readonly limits: ResponseLimits | undefined;
  /** It has `ip_ranges_allowed`: the destination step resolves the target's addresses first. */
  readonly needsDestination: boolean;
}

type Factory = (value: unknown, name: string) => ConstraintCheck | undefined;

/**
 * Compiled constraints per capability object. A compilation depends on the constraints alone (the
 * guard's policy is read when a check runs), so one table serves every guard.
 */
const COMPILED = new WeakMap<Capability, CompiledCapability>();

/**
 * Compile a capability's constraints, cached per capability object. Verified claims are cached and
 * frozen by the token step, so a repeated token reuses its compiled constraints: no list parsing,
 * no CIDR or date parsing per request. Standard constraints run in a fixed order; the rest follow
 * in token order through app-specific handlers or the unknown-constraint policy.
 *
 * @example
 * const { checks, limits } = compileCapability(capability);
 */
export function compileCapability(capability: Capability): CompiledCapability {
  let compiled = COMPILED.get(capability);
  if (!compiled) {
    compiled = compile(capability.constraints ?? {});
    COMPILED.set(capability, compiled);
  }
  return compiled;
}

function compile(constraints: Readonly<Record<string, unknown>>): CompiledCapability {
  const checks: ConstraintCheck[] = [];
  for (const [name, factory] of STANDARD) {
    if (!Object.hasOwn(constraints, name)) continue;
    const check = factory(constraints[name], name);
    if (check) checks.push(check);
  }
  for (const [name, value] of Object.entries(constraints)) {
    if (!STANDARD.has(name) && !isRateLimitConstraint(name)) checks.push(applicationSpecific(name, value));
  }
  const size = (name: string) => (isSize(constraints[name]) ? (constraints[name] as number) : undefined);
  const maxRequestSize = size('max_request_size');
  const maxResponseSize = size('max_response_size');
  const limits = (maxRequestSize ?? maxResponseSize) ? Object.freeze({ maxRequestSize, maxResponseSize }) : undefined;
  const needsDestination = Object.hasOwn(constraints, 'ip_ranges_allowed');
  return Object.freeze({ checks: Object.freeze(checks), limits, needsDestination });
}

/**
 * A constraint whose value we cannot honour as written: never grant more than the token says. Domain
 * constraints keep their own error code (the draft's table: domain violation → `aap_domain_not_allowed`).
 */
const unusable =
  (name: string, reason: 'constraint_violation' | 'domain_not_allowed' = 'constraint_violation'): ConstraintCheck =>
  () =>
    deny(reason, { constraint: name, rule: 'invalid_value' });

const isSize = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isStringList = (value: unknown): value is readonly string[] =>
  Array.isArray(value) && value.every((entry) => typeof entry === 'string');

const IDENTITY_ONLY = Object.freeze({ headers: Object.freeze({ 'accept-encoding': 'identity' }) });

/** The standard constraints of the draft ("Standard Constraint Types and Semantics"), in check order. */
const STANDARD = new Map<string, Factory>([
  [
    'max_depth',
    (value, name) => {
      if (!Number.isInteger(value)) return unusable(name);
      // The depth the delegation check computed (delegation.depth or the `act` nesting, whichever is larger).
      return (ctx) => {
        const depth = ctx.delegationDepth ?? (ctx.claims ? delegationDepth(ctx.claims) : 0);
        return depth > (value as number) ? deny('delegation_depth_exceeded', { constraint: name, depth }) : undefined;
      };
    },
  ],
  [
    'time_window',
    (value, name) => {
      const window = instantRange(value);
      if (!window) return unusable(name);
      // Start inclusive, end exclusive; no skew allowance: the RS clock is authoritative and the draft's
      // skew tolerance is a MAY we do not take for an authorization boundary.
      return ({ now }) =>
        now < window.start || now >= window.end ? deny('capability_expired', { constraint: name }) : undefined;
    },
  ],
  [
    'allowed_methods',
    (value, name) => {
      if (!isStringList(value)) return unusable(name);
      const methods = new Set(value.map((method) => method.toUpperCase()));
      return ({ method }) =>
        methods.has(method) ? undefined : deny('method_not_allowed', { constraint: name, method });
    },
  ],
  [
    'domains_blocked',
    (value, name) => {
      const entries = domainList(value);
      if (!entries) return unusable(name, 'domain_not_allowed');
      // Blocked first (draft step 2); a target we cannot parse is treated as blocked.
      return (ctx) => {
        const host = requestHost(ctx);
        return !host || matchesDomain(host, entries)
          ? deny('domain_not_allowed', { constraint: name, target: host?.host })
          : undefined;
      };
    },
  ],
  [
    'domains_allowed',
    (value, name) => {
      const entries = domainList(value);
      if (!entries) return unusable(name, 'domain_not_allowed');
      return (ctx) => {
        const host = requestHost(ctx);
        return host && matchesDomain(host, entries)
          ? undefined
          : deny('domain_not_allowed', { constraint: name, target: host?.host });
      };
    },
  ],
  [
    'ip_ranges_allowed',
    (value, name) => {
      const ranges = Array.isArray(value) ? compileCidrs(value) : undefined;
      if (!ranges) return unusable(name);
      return (ctx) => {
        if (ctx.settings.policy.ipRanges === 'caller') return callerOutside(ctx, ranges, name);
        const outcome = destinationOutside(ctx, ranges, name);
        if (!ctx.settings.reportOnly.has('destination-ip')) return outcome;
        // Report-only: the destination is reported, and the caller's address is checked as it was before
        // the destination became the default — a rollout never enforces less than before.
        if (outcome) reportOrDeny(ctx, 'destination-ip', outcome);
        return callerOutside(ctx, ranges, name);
      };
    },
  ],
  [
    'allowed_regions',
    (value, name) => {
      if (!isStringList(value)) return unusable(name);
      const regions = new Set(value.map((region) => region.toUpperCase()));
      return (ctx) => {
        const region = requestRegion(ctx);
        return region !== undefined && regions.has(region)
          ? undefined
          : deny('constraint_violation', { constraint: name, region });
      };
    },
  ],
  [
    'data_classification_max',
    (value, name) => {
      const max = levelRank(value);
      if (max === undefined) return unusable(name);
      return ({ route }) =>
        (route?.classificationRank ?? 0) > max ? deny('constraint_violation', { constraint: name }) : undefined;
    },
  ],
  [
    'max_request_size',
    (value, name) => {
      if (!isSize(value)) return unusable(name);
      // Declared size here; an undeclared (chunked) body is cut off by the adapter at the same limit. Both
      // count the bytes as sent: a body in a content coding would reach the handler decoded by the app's
      // parser, at a size nobody counted (259 bytes of gzip are 200 KB of JSON). Such a body is refused
      // with 415 and `Accept-Encoding: identity`, the codings this request may use (RFC 9110 §15.5.16, §12.5.3).
      return ({ contentLength, request }) => {
        const codings =
          request.headers['content-encoding'] === undefined
            ? undefined
            : encodedWith(request.headers['content-encoding']);
        if (codings && codings.length > 0)
          return deny('content_encoding_unsupported', { constraint: name, codings }, IDENTITY_ONLY);
        return contentLength !== undefined && contentLength > value
          ? deny('request_too_large', { constraint: name, contentLength })
          : undefined;
      };
    },
  ],
  ['max_response_size', (value, name) => (isSize(value) ? undefined : unusable(name))],
  [
    'require_encryption',
    (value, name) => {
      if (typeof value !== 'boolean') return unusable(name);
      return value
        ? (ctx) => (isHttps(ctx) ? undefined : deny('constraint_violation', { constraint: name }))
        : undefined;
    },
  ],
]);

/**
 * An application-specific constraint (e.g. the draft's `status: "draft_only"`): the route's handler,
 * else the guard's, else the unknown-constraint policy (`deny` by default). A handler that throws denies.
 */
function applicationSpecific(name: string, value: unknown): ConstraintCheck {
  return (ctx, capability) => {
    const handler = ctx.route?.constraints?.[name] ?? ctx.settings.policy.handlers[name];
    if (!handler) {
      return ctx.settings.policy.unknownConstraints === 'ignore'
        ? undefined
        : deny('constraint_unknown', { constraint: name });
    }
    let accepted: unknown;
    try {
      accepted = handler(value, { request: ctx.request, claims: ctx.claims!, capability });
    } catch (error) {
      return deny('constraint_violation', { constraint: name, rule: 'handler_threw', fault: String(error) });
    }
    return accepted === true ? undefined : deny('constraint_violation', { constraint: name });
  };
}

function domainList(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const entries = value.map(domainEntry);
  return entries.every((entry) => entry !== undefined) ? (entries as string[]) : undefined;
}

/** `ip_ranges_allowed` read as the caller's address (`constraints.ipRanges: 'caller'`), proxies resolved. */
function callerOutside(ctx: CheckContext, ranges: AddressMatcher, name: string): Deny | undefined {
  const ip = clientIp(ctx);
  return ip !== undefined && ranges(ip) ? undefined : deny('constraint_violation', { constraint: name, ip });
}

/**
 * `ip_ranges_allowed` read as the destination (draft §5.6.2): every address of the declared target must be
 * in range — the application's connector may pick any of them (Happy Eyeballs, RFC 8305, tries several).
 * No target, or no address for it: refused.
 */
function destinationOutside(ctx: CheckContext, ranges: AddressMatcher, name: string): Deny | undefined {
  const target = ctx.destination;
  if (target?.addresses === undefined) {
    return deny('destination_unresolved', {
      constraint: name,
      target: target?.host,
      problem: target?.problem ?? 'no_target',
      fault: target?.fault,
    });
  }
  const outside = target.addresses.filter((address) => !ranges(address));
  return outside.length === 0
    ? undefined
    : deny('destination_not_allowed', { constraint: name, target: target.host, outside });
}

/** The route's target host, parsed once per request (a target that is not a string was refused in step 6). */
export function requestHost(ctx: CheckContext): ReturnType<typeof targetHost> {
  if (!('targetHost' in ctx))
    ctx.targetHost = typeof ctx.request.target === 'string' ? targetHost(ctx.request.target) : undefined;
  return ctx.targetHost;
}

/**
 * Whether the client reached us over TLS: a trusted proxy's word (`X-Forwarded-Proto` / `Forwarded`, from
 * a `trustProxy` peer only), else the connection itself (`RequestInfo.secure`, set by the adapters from the
 * socket). Never the request target: an absolute-form target (`GET https://…`) on a cleartext socket is
 * still cleartext (RFC 9112 §3.2.2), and `publicUrl` says how the API is published, not how this request came.
 */
function isHttps(ctx: CheckContext): boolean {
  const { settings, request } = ctx;
  const peer = request.clientIp;
  const forwarded = typeof peer === 'string' && settings.trustProxy(peer) ? forwardedProto(request.headers) : undefined;
  if (forwarded !== undefined) return forwarded === 'https';
  return typeof request.secure === 'boolean' ? request.secure : request.url.startsWith('https:');
}

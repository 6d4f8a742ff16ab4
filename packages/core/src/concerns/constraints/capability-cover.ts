import type { Capability, Constraints } from '../../base/claims/model.js';
import { compileCidrs } from '../../base/util/cidr.js';
import { domainEntry, matchesDomain } from './domains.js';
import { instantRange } from './time-window.js';
import { levelRank } from './levels.js';

/** A capability of a delegated token that no capability of its parent covers, and the first constraint found looser. */
export interface Uncovered {
  /** Index of the child's capability in its `capabilities`. */
  readonly index: number;
  readonly action: string;
  /** The constraint that is looser than in every parent capability of the same action (absent: no such action). */
  readonly constraint?: string | undefined;
}

/** Numeric ceilings: the child's must be present and no higher. */
const CEILINGS = [
  'max_requests_per_minute',
  'max_requests_per_hour',
  'max_requests_per_day',
  'max_response_size',
  'max_request_size',
  'max_depth',
] as const;
/** Allow-lists of plain values: the child's must be present and a subset. */
const SUBSETS = {
  allowed_methods: (v: string) => v.toUpperCase(),
  allowed_regions: (v: string) => v.toUpperCase(),
} as const;
const KNOWN = new Set<string>([
  ...CEILINGS,
  ...Object.keys(SUBSETS),
  'domains_allowed',
  'domains_blocked',
  'ip_ranges_allowed',
  'time_window',
  'data_classification_max',
]);

/**
 * The first capability of `child` that no capability of `parent` covers (draft "Delegation Chain
 * Validation": the RS MUST ensure delegated tokens do not contain broader capabilities than the original
 * token; "Privilege Reduction Requirements": a subset of the parent's capabilities, constraints only
 * tightened), or undefined when every one is covered.
 *
 * A parent capability covers a child's when the action is the same (exact: the draft's grammar has no
 * wildcard) and every constraint the parent sets is set by the child no looser — an absent constraint is no
 * restriction (draft "Empty Constraints"):
 * - rate limits, sizes, `max_depth`: present and no higher;
 * - `domains_allowed`: present, each entry equal to or below (DNS suffix) one of the parent's;
 *   `domains_blocked`: each of the parent's blocked in the child too (itself or a parent domain of it);
 * - `ip_ranges_allowed`: present, each entry one of the parent's or a single address inside them (a range
 *   that is not literally the parent's is not compared: refused, failing closed);
 * - `time_window`: present and inside the parent's (start no earlier, end no later);
 * - `allowed_methods`, `allowed_regions`: present and a subset; `data_classification_max`: no higher;
 * - any other (unknown) constraint: the same JSON value — its meaning is unknown, so only equality is safe.
 *
 * @example
 * uncovered([{ action: 'cms.publish' }], [{ action: 'search.web' }]); // { index: 0, action: 'cms.publish' }
 * uncovered([{ action: 'search.web', constraints: { max_requests_per_hour: 10 } }], [{ action: 'search.web',
 * constraints: { max_requests_per_hour: 50 } }]); // undefined
 */
export function uncovered(child: readonly Capability[], parent: readonly Capability[]): Uncovered | undefined {
  for (let index = 0; index < child.length; index++) {
    const cap = child[index] as Capability;
    let looser: string | undefined;
    let matched = false;
    for (const candidate of parent) {
      if (candidate.action !== cap.action) continue;
      const loose = looserConstraint(cap.constraints ?? {}, candidate.constraints ?? {});
      if (loose === undefined) {
        matched = true;
        break;
      }
      looser ??= loose;
    }
    if (!matched) return { index, action: cap.action, constraint: looser };
  }
  return undefined;
}

/** The first constraint of `parent` that `child` does not hold at least as tightly, or undefined. */
function looserConstraint(child: Constraints, parent: Constraints): string | undefined {
  for (const name of CEILINGS) {
    const limit = parent[name];
    if (limit === undefined) continue;
    const own = child[name];
    if (typeof own !== 'number' || typeof limit !== 'number' || own > limit) return name;
  }
  for (const [name, norm] of Object.entries(SUBSETS)) {
    const allowed = parent[name];
    if (allowed === undefined) continue;
    if (!subset(child[name], allowed, norm)) return name;
  }
  if (parent.domains_allowed !== undefined && !domainsWithin(child.domains_allowed, parent.domains_allowed))
    return 'domains_allowed';
  if (parent.domains_blocked !== undefined && !stillBlocked(child.domains_blocked, parent.domains_blocked))
    return 'domains_blocked';
  if (parent.ip_ranges_allowed !== undefined && !rangesWithin(child.ip_ranges_allowed, parent.ip_ranges_allowed))
    return 'ip_ranges_allowed';
  if (parent.time_window !== undefined && !windowWithin(child.time_window, parent.time_window)) return 'time_window';
  if (parent.data_classification_max !== undefined) {
    const mine = levelRank(child.data_classification_max);
    const theirs = levelRank(parent.data_classification_max);
    if (mine === undefined || theirs === undefined || mine > theirs) return 'data_classification_max';
  }
  for (const name of Object.keys(parent)) {
    if (KNOWN.has(name) || parent[name] === undefined) continue;
    if (JSON.stringify(child[name]) !== JSON.stringify(parent[name])) return name;
  }
  return undefined;
}

function subset(child: unknown, parent: unknown, norm: (value: string) => string): boolean {
  if (!Array.isArray(child) || !Array.isArray(parent)) return false;
  const allowed = new Set(parent.filter((v): v is string => typeof v === 'string').map(norm));
  return child.every((v) => typeof v === 'string' && allowed.has(norm(v)));
}

/** `a.example.org` is within `example.org`; every child entry must be within one of the parent's. */
function domainsWithin(child: unknown, parent: unknown): boolean {
  if (!Array.isArray(child) || !Array.isArray(parent)) return false;
  const theirs = parent.map(domainEntry).filter((d): d is string => d !== undefined);
  return child.every((entry) => {
    const mine = domainEntry(entry);
    return mine !== undefined && matchesDomain({ host: mine, ip: false }, theirs);
  });
}

/** Every domain the parent blocks is blocked by the child too: by itself, or by a domain it lies within. */
function stillBlocked(child: unknown, parent: unknown): boolean {
  if (!Array.isArray(parent)) return false;
  const mine = (Array.isArray(child) ? child : []).map(domainEntry).filter((d): d is string => d !== undefined);
  return parent.every((entry) => {
    const blocked = domainEntry(entry);
    return blocked !== undefined && matchesDomain({ host: blocked, ip: false }, mine);
  });
}

function rangesWithin(child: unknown, parent: unknown): boolean {
  if (!Array.isArray(child) || !Array.isArray(parent)) return false;
  const match = compileCidrs(parent);
  if (!match) return false;
  return child.every(
    (entry) => typeof entry === 'string' && (parent.includes(entry) || (!entry.includes('/') && match(entry))),
  );
}

function windowWithin(child: unknown, parent: unknown): boolean {
  const c = instantRange(child);
  const p = instantRange(parent);
  return c !== undefined && p !== undefined && c.start >= p.start && c.end <= p.end;
}

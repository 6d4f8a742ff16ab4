import { debuglog } from 'node:util';
import { GUARD_KEYS, NESTED_KEYS, checkKeys } from '../base/types/known-keys.js';
import type { GuardOptions, TrustProxy } from '../base/types/options.js';
import { resolveLogger, type Logger } from '../base/log/logger.js';
import { safeAuditSink, type AuditEmitter } from '../base/audit/safe-sink.js';
import type { Store } from '../base/stores/store.js';
import { memoryStore } from '../base/stores/memory.js';
import { resolveTokenOptions, type TokenRuntime, type TokenSettings } from '../concerns/token/options.js';
import { resolvePopOptions, type PopRuntime, type PopSettings } from '../concerns/pop/options.js';
import { resolveRateLimitOptions, type RateLimitSettings } from '../concerns/rate-limits/options.js';
import { resolvePolicyOptions, type PolicySettings } from './policy.js';
import { compileTrustProxy } from '../base/request/trust-proxy.js';
import { resolveHoldOptions, type HoldRuntime, type HoldSettings } from '../concerns/holds/options.js';
import {
  resolveRevocationOptions,
  type RevocationRuntime,
  type RevocationSettings,
} from '../concerns/revocation/options.js';
import { storeHealth, type StoreHealth } from '../base/stores/store-health.js';
import { resolveReportOnly } from './report-only.js';
import type { PolicyName } from '../base/deny/reasons.js';

/** The guard's settings: its options validated once, frozen data — nothing re-checked per request. */
export interface GuardSettings {
  /** Log one line per decision (`debug: true` or `NODE_DEBUG=aap-guard`). */
  readonly debug: boolean;
  /** The RFC 9728 metadata URL advertised in 401 challenges; undefined: this resource's well-known URL; false: none. */
  readonly resourceMetadata: string | false | undefined;
  readonly trustProxy: (ip: string) => boolean;
  readonly publicUrl: URL | undefined;
  readonly failOpen: boolean;
  readonly undeclared: 'allow' | 'deny';
  /** False: a request without AAP credentials goes on without a principal (coexistence with other clients). */
  readonly authRequired: boolean;
  /** Tells the app's own credentials apart (`options.appCredentials`): asked before any token parsing. */
  readonly appCredentials: GuardOptions['appCredentials'];
  /** Fetch the keys in the background from `createGuard()` on (`warmUp`, default true). */
  readonly warmUp: boolean;
  readonly token: TokenSettings;
  readonly pop: PopSettings;
  readonly rateLimit: RateLimitSettings;
  readonly policy: PolicySettings;
  /** Oversight holds: TTL, match mode, budgets, hooks. */
  readonly holds: HoldSettings;
  readonly revocation: RevocationSettings;
  /** The rollout policies whose denies are recorded as "would deny" rather than enforced (`reportOnly`). */
  readonly reportOnly: ReadonlySet<PolicyName>;
}

/**
 * The guard's runtime: the services its settings set up — clock, logger, audit sink, store, key sources,
 * caches, the local revocation set — which `close()` releases.
 */
export interface GuardRuntime {
  readonly now: () => number;
  readonly store: Store;
  /**
   * The store's health (shared with the store through `attach()`) and fail-open admissions: logged once per state
   * change.
   */
  readonly storeHealth: StoreHealth;
  /** The audit sink, wrapped once: never throws, never leaves a rejection behind, failures logged once. */
  readonly audit: AuditEmitter | undefined;
  /** Where infrastructure events (and, in debug mode, decisions) are logged. */
  readonly logger: Logger;
  readonly token: TokenRuntime;
  readonly pop: PopRuntime;
  /** Oversight holds: their store, the approval link a console registered. */
  readonly holds: HoldRuntime;
  /** Revocation: store and this replica's local copy. */
  readonly revocation: RevocationRuntime;
  /** Stop following the revocation store and close the store. */
  close(): Promise<void>;
}

/** What `createGuard()` resolves its options into: settings (data) and runtime (services). */
export interface GuardSetup {
  readonly settings: GuardSettings;
  readonly runtime: GuardRuntime;
}

/**
 * Validate every option once, with messages that name the option; freeze the settings and build the
 * runtime. Throws `TypeError` on misconfiguration — the only throw a user ever sees from the guard.
 */
export function resolveOptions(options: GuardOptions): GuardSetup {
  if (options === null || typeof options !== 'object')
    throw new TypeError('createGuard(options): options must be an object');
  checkKeys(options, GUARD_KEYS, 'createGuard(options)');
  for (const [name, keys] of Object.entries(NESTED_KEYS))
    checkKeys((options as unknown as Record<string, unknown>)[name], keys, `createGuard(options.${name})`);
  if (options.issuer === undefined)
    throw new TypeError('options.issuer is required (or AAP_ISSUER in the environment, for the adapters)');
  if (options.audience === undefined)
    throw new TypeError('options.audience is required (or AAP_AUDIENCE in the environment, for the adapters)');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('options.now must be a function returning ms');
  const logger = resolveLogger(options.logger, options.debug);
  const undeclared = options.undeclared ?? 'deny';
  if (undeclared !== 'allow' && undeclared !== 'deny')
    throw new TypeError("options.undeclared must be 'allow' or 'deny'");
  const authRequired = options.authRequired ?? true;
  if (typeof authRequired !== 'boolean') throw new TypeError('options.authRequired must be a boolean');
  const appCredentials = options.appCredentials;
  if (appCredentials !== undefined && typeof appCredentials !== 'function')
    throw new TypeError('options.appCredentials must be a function ({ scheme, token }, request) => boolean');
  const warmUp = options.warmUp ?? true;
  if (typeof warmUp !== 'boolean') throw new TypeError('options.warmUp must be a boolean');
  const onStoreError = options.onStoreError ?? 'closed';
  if (onStoreError !== 'closed' && onStoreError !== 'open')
    throw new TypeError("options.onStoreError must be 'closed' or 'open'");
  const store = options.store ?? memoryStore({ now });
  const health = storeHealth(logger);
  const token = resolveTokenOptions(options, logger);
  // In the order 0.1 validated them: the first misconfiguration reported stays the same.
  const audit = safeAuditSink(options.audit, logger);
  const resourceMetadata =
    options.resourceMetadata === false ? false : optionalUrl(options.resourceMetadata, 'resourceMetadata')?.href;
  const trustProxy = compileTrustProxy(options.trustProxy as TrustProxy | undefined);
  const publicUrl = optionalUrl(options.publicUrl, 'publicUrl');
  const pop = resolvePopOptions(options);
  const rateLimit = resolveRateLimitOptions(options);
  const policy = resolvePolicyOptions(options);
  const reportOnly = resolveReportOnly(options);
  if (options.delegation?.unknownParent === undefined) {
    logger.info(
      { event: 'delegation.unknown-parent', component: 'delegation', unknownParent: policy.unknownParent },
      "delegated tokens whose parent no replica has seen are admitted and audited (options.delegation.unknownParent: 'allow-audited'); " +
        "set 'refuse' where every parent token reaches this resource before its children",
    );
  }
  const holds = resolveHoldOptions(options, store, logger);
  // last: attaches and follows the store
  const revocation = resolveRevocationOptions(
    options,
    store,
    now,
    { logger, health: health.store },
    token.runtime.keys.scopes,
  );
  const settings: GuardSettings = Object.freeze({
    debug: options.debug === true || debugFromEnvironment(),
    resourceMetadata,
    trustProxy,
    publicUrl,
    failOpen: onStoreError === 'open',
    undeclared,
    authRequired,
    appCredentials,
    warmUp,
    token: token.settings,
    pop: pop.settings,
    rateLimit,
    policy,
    holds: holds.settings,
    revocation: revocation.settings,
    reportOnly,
  });
  const runtime: GuardRuntime = Object.freeze({
    now,
    store,
    storeHealth: health,
    audit,
    logger,
    token: token.runtime,
    pop: pop.runtime,
    holds: holds.runtime,
    revocation: revocation.runtime,
    async close() {
      revocation.runtime.local.close();
      await store.close?.();
    },
  });
  return { settings, runtime };
}

/** `NODE_DEBUG=aap-guard`, read by Node's own `util.debuglog` (the core reads no environment itself). */
const debugFromEnvironment = (): boolean => debuglog('aap-guard').enabled;

function optionalUrl(value: unknown, name: string): URL | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !URL.canParse(value)) throw new TypeError(`options.${name} must be an absolute URL`);
  return new URL(value);
}

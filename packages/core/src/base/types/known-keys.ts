/**
 * Unknown option keys are mistakes (`undeclard: 'deny'`, a route's `targte:`): silently ignored, they
 * leave the guard doing what the user did not ask. Every options object is checked against its known
 * keys once, at startup, and a `TypeError` names the key and the closest known one.
 */

/** Keys of `GuardOptions`, and of its nested option objects. */
export const GUARD_KEYS = [
  'issuer',
  'audience',
  'jwks',
  'allowInsecureRequests',
  'algorithms',
  'requireTyp',
  'clockTolerance',
  'now',
  'store',
  'audit',
  'logger',
  'debug',
  'maxTokenSize',
  'maxFormBodySize',
  'tokenCacheSize',
  'resourceMetadata',
  'trustProxy',
  'publicUrl',
  'onStoreError',
  'pop',
  'dpop',
  'agents',
  'delegation',
  'rateLimit',
  'constraints',
  'oversight',
  'revocation',
  'undeclared',
  'authRequired',
  'appCredentials',
  'introspection',
  'capabilitiesRef',
  'warmUp',
  'reportOnly',
  'failedValidations',
] as const;

/** Known keys of the nested option objects, by option name. */
export const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = {
  dpop: ['mode', 'algorithms', 'maxAge', 'leeway', 'nonce'],
  agents: ['allow', 'deny', 'operators', 'deniedOperators', 'deniedModels', 'requireAttested'],
  delegation: ['maxDepth', 'trustedActor', 'unknownParent'],
  rateLimit: ['mode', 'key', 'headersOnAllow'],
  failedValidations: ['max', 'windowMs', 'maxAddresses'],
  constraints: ['unknown', 'handlers', 'networkZones', 'region', 'ipRanges', 'resolveTarget', 'resolveTimeoutMs'],
  oversight: [
    'holdTtl',
    'approvalUrl',
    'onHold',
    'match',
    'maxBodyBytes',
    'maxPendingPerAgent',
    'maxHoldsPerMinute',
    'preview',
  ],
  revocation: ['defaultTtl', 'lineageSize'],
  introspection: [
    'endpoint',
    'issuer',
    'client',
    'mode',
    'opaqueTokens',
    'jwtResponse',
    'timeoutMs',
    'cacheSize',
    'cacheMaxTtl',
    'inactiveTtl',
  ],
  capabilitiesRef: ['resolve', 'allowedUrls', 'timeoutMs', 'cacheMaxAgeMs', 'cacheSize'],
};

/**
 * Throw a `TypeError` for the first key of `given` that `known` does not list, naming the closest known key.
 *
 * @example
 * checkKeys({ undeclard: 'deny' }, ['undeclared'], 'aapGuard(options)');
 * // TypeError: aapGuard(options): unknown option "undeclard" — did you mean "undeclared"?
 */
export function checkKeys(given: unknown, known: readonly string[], where: string): void {
  if (given === null || typeof given !== 'object') return;
  for (const key of Object.keys(given)) {
    if (known.includes(key) || (given as Record<string, unknown>)[key] === undefined) continue;
    const near = closest(key, known);
    throw new TypeError(
      `${where}: unknown option "${key}"${near ? ` — did you mean "${near}"?` : ` (known: ${known.join(', ')})`}`,
    );
  }
}

/** The known name nearest to `name` (edit distance ≤ 2, or one a prefix of the other), if any. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const lower = candidate.toLowerCase();
    const given = name.toLowerCase();
    const distance =
      lower === given ? 0 : lower.startsWith(given) || given.startsWith(lower) ? 1 : editDistance(given, lower);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Levenshtein distance (names are short; no early exit needed). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

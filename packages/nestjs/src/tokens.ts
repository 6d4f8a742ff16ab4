/**
 * Injection tokens of the module. `AAP_GUARD` is public (inject the core guard to approve holds, revoke,
 * read its health); the others carry the module's settings between its own providers.
 */

/**
 * The aap-guard core `Guard` behind the module — `guard.holds.approve(id, { by })`, `guard.revoke(…)`,
 * `guard.health()`. Symbols by `Symbol.for`: the ESM and CommonJS builds name the same token.
 *
 * @example
 * import { Inject, Injectable } from '@nestjs/common';
 * import type { Guard } from '@aap-guard/core';
 * import { AAP_GUARD } from '@aap-guard/nestjs';
 * @Injectable()
 * export class Approvals {
 *   constructor(@Inject(AAP_GUARD) private readonly guard: Guard) {}
 *   approve(id: string) { return this.guard.holds.approve(id, { by: 'alice' }); }
 * }
 */
export const AAP_GUARD: unique symbol = Symbol.for('aap-guard.nestjs.guard');

/** The options as given to `forRoot` (or made by `forRootAsync`'s factory). */
export const AAP_OPTIONS: unique symbol = Symbol.for('aap-guard.nestjs.options');

/** The settled options (`NestAdapter`): the guard, `undeclared`, `skip`, `formatDeny`. */
export const AAP_ADAPTER: unique symbol = Symbol.for('aap-guard.nestjs.adapter');

/**
 * @aap-guard/nestjs — aap-guard for NestJS: `AapModule.forRoot(options)` / `forRootAsync`, a global guard,
 * `@AapAction(action, { target })` and `@AapPublic()` declarations, `@AapPrincipal()`, and an exception
 * filter that writes each deny with its headers. The principal is on `request.aap`.
 */
import './augment.js';
export { AapModule } from './aap-module.js';
export { AapAction } from './aap-action.js';
export { AapPublic } from './aap-public.js';
export { AapPrincipal } from './aap-principal.js';
export { AapGuard } from './aap-guard.js';
export { AapDenyException } from './aap-deny-exception.js';
export { AapExceptionFilter } from './aap-exception-filter.js';
export { AapDeclarations, type AapRouteReport } from './aap-declarations.js';
export { AAP_GUARD } from './tokens.js';
export type { AapActionOptions } from './route-metadata.js';
export type { AapHttpRequest } from './http.js';
export type { AapModuleOptions, AapModuleAsyncOptions, AapFilterOption, NestAdapterOptions } from './options.js';

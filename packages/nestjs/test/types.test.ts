/**
 * Types and startup checks of @aap-guard/nestjs: `tsc -p tsconfig.json` checks the expectTypeOf and
 * @ts-expect-error lines; the runtime part shows that what the types refuse is refused when the class is
 * defined or the module is made (`TypeError` naming the option).
 */
import type { AuthorizedPrincipal, Principal } from '@aap-guard/core';
import { AapAction, AapModule, AapPrincipal, type AapActionOptions, type AapHttpRequest } from '@aap-guard/nestjs';
import type { Request } from 'express';
import { describe, expect, expectTypeOf, it } from 'vitest';

const options = { issuer: 'https://as.example.com', audience: 'https://api.example.com', jwks: { keys: [] } };

describe('@aap-guard/nestjs types', () => {
  it("types request.aap on Express's Request and on the request a target function gets", () => {
    expectTypeOf<Request['aap']>().toEqualTypeOf<Principal | undefined>();
    expectTypeOf<AapHttpRequest['aap']>().toEqualTypeOf<Principal | null | undefined>();
    expectTypeOf<NonNullable<AapActionOptions['target']>>().parameters.toEqualTypeOf<[request: AapHttpRequest]>();
    expectTypeOf<NonNullable<AapActionOptions<Request>['target']>>().parameters.toEqualTypeOf<[request: Request]>();
    expectTypeOf(AapPrincipal).returns.toEqualTypeOf<ParameterDecorator>();
    expectTypeOf<AuthorizedPrincipal['action']>().toEqualTypeOf<string>();
  });

  it('refuses a bad declaration when the class is defined: the action, an unknown option, the target', () => {
    expect(() => AapAction('not an action!')).toThrow(TypeError);
    // @ts-expect-error: no such option
    expect(() => AapAction('cms.publish', { purpose: ['x'] })).toThrow(/did you mean "purposes"/);
    // @ts-expect-error: target is a function of the request
    expect(() => AapAction('search.web', { target: 'https://example.org' })).toThrow(
      /options.target must be a function/,
    );
  });

  it("refuses module options that are not the Nest module's", () => {
    // @ts-expect-error: denies are always thrown as AapDenyException
    expect(() => AapModule.forRoot({ ...options, denyAs: 'error' })).toThrow(/denyAs is not a Nest option/);
    // @ts-expect-error: a boolean
    expect(() => AapModule.forRoot({ ...options, filter: 'no' })).toThrow(/options.filter must be a boolean/);
    // @ts-expect-error: a factory is required
    expect(() => AapModule.forRootAsync({ inject: [] })).toThrow(/useFactory must be a function/);
  });
});

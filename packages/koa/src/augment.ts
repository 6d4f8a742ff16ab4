import type { Principal } from '@aap-guard/core';

declare module 'koa' {
  interface DefaultState {
    /**
     * The verified AAP principal: set by `app.use(aap)` after authentication, and replaced by
     * `aap.require(action)` with the authorized principal (with `capability` and `action`).
     */
    aap?: Principal | undefined;
  }
}

export {};

import type { Principal } from '@aap-guard/core';

declare global {
  // Express's own augmentation point for `Request` (used by @types/express 4 and 5).
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * The verified AAP principal: set by `app.use(aap)` after authentication, and replaced by
       * `aap.require(action)` with the authorized principal (with `capability` and `action`).
       */
      aap?: Principal | undefined;
    }
  }
}

export {};

/** Free names of @aap-guard/testing's `@example` blocks (scripts/check-examples.mjs). */
import type { TestIssuer } from '@aap-guard/testing';

/** `await createIssuer()` */
export declare const issuer: TestIssuer;

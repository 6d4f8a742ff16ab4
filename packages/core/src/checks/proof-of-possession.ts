import type { Check } from './context.js';

/** Step 3: DPoP / mTLS. TODO(issue 4). */
export const proofOfPossession: Check = () => undefined;

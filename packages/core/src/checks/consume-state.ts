import type { Check } from './context.js';

/** Step 8: DPoP replay + rate limits. TODO(issue 4/5). */
export const consumeState: Check = () => undefined;

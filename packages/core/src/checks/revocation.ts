import type { Check } from './context.js';

/** Step 4: revocation. TODO(issue 7). */
export const revocation: Check = () => undefined;

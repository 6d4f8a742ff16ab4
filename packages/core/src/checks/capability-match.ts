import type { Check } from './context.js';

/** Step 6: capability match. TODO(issue 3). */
export const capabilityMatch: Check = () => undefined;

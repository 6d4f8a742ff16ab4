import type { Check } from './context.js';

/** Step 5: delegation. TODO(issue 3). */
export const delegation: Check = () => undefined;

import type { Check } from './context.js';

/** Step 7: oversight. TODO(issue 3 / 7). */
export const oversight: Check = () => undefined;

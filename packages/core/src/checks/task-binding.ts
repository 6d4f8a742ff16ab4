import type { Check } from './context.js';

/** Step 5: task binding. TODO(issue 3). */
export const taskBinding: Check = () => undefined;

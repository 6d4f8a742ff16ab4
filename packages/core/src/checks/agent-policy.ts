import type { Check } from './context.js';

/** Step 5: agent policy. TODO(issue 3). */
export const agentPolicy: Check = () => undefined;

import type { Check } from './context.js';

/** Step 6: stateless constraints. TODO(issue 3). */
export const statelessConstraints: Check = () => undefined;

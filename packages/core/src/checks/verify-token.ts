import type { Check } from './context.js';

/** Step 2: JWS verification and AAP claims. TODO(issue 2). */
export const verifyToken: Check = () => undefined;

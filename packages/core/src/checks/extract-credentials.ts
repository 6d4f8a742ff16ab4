import type { Check } from './context.js';

/** Step 1: credential extraction (RFC 6750, RFC 9449). TODO(issue 2). */
export const extractCredentials: Check = () => undefined;

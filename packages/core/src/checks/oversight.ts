import type { Check } from './context.js';
import { oversightHolds } from '../holds/oversight-holds.js';

/** Step 7: oversight. TODO(issue 3). Holds (issue 7): holds/oversight-holds.ts. */
export const oversight: Check = (ctx) => oversightHolds(ctx);

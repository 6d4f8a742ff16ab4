import type { Check } from './context.js';
import { oversightHolds } from '../holds/oversight-holds.js';

/** Step 7: human oversight — an action the token lists under `requires_human_approval_for` is held (holds/oversight-holds.ts). */
export const oversight: Check = (ctx) => oversightHolds(ctx);

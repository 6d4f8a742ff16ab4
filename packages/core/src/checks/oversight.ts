import type { Check } from './context.js';
import { oversightHolds } from './oversight-holds.js';

/** Step 7: human oversight — an action the token puts under approval is held, or its approved retry identified (checks/oversight-holds.ts). */
export const oversight: Check = (ctx) => oversightHolds(ctx);

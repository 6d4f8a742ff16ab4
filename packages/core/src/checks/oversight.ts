import type { Check } from './context.js';
import { oversightHolds } from '../holds/oversight-holds.js';

/** Step 7: human oversight — an action the token puts under approval is held, or its approved retry identified (holds/oversight-holds.ts). */
export const oversight: Check = (ctx) => oversightHolds(ctx);

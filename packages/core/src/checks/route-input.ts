import { deny } from '../base/deny/deny.js';
import type { Check } from './context.js';

/**
 * Step 6 prerequisite: what the route says the request acts on must be one string. A target of another
 * type (e.g. `?url=a&url=b`, parsed to an array by the framework) is refused with 400 `request_invalid`
 * rather than guessed — the handler might act on the other value. The same rule for every adapter.
 */
export const routeInput: Check = ({ request }) => {
  const target = request.target;
  if (target === undefined || typeof target === 'string') return undefined;
  return deny('request_invalid', { type: Array.isArray(target) ? 'array' : typeof target });
};

import type { RequestInfo } from '../base/types/request.js';
import type { CompiledRoute } from '../concerns/route/compile-route.js';
import { levelRank } from '../concerns/constraints/levels.js';
import { singleHeader } from '../base/request/headers.js';
import { deny } from '../base/deny/deny.js';
import type { Check } from './context.js';

/**
 * Step 5: task binding (draft "Task Binding Validation"). Structure (`id`, `purpose`) was validated with
 * the token. Here: the task's lifetime — `created_at` not in the future beyond the token clock tolerance
 * (the draft's "beyond clock skew tolerance"), `expires_at` not reached, with NO tolerance: the draft's
 * Temporal level says "the RS MUST reject tokens for tasks past their expiration", and `expires_at` is the
 * instant on or after which the task is over (as `exp` in RFC 7519 §4.1.4) — then the route's allowed
 * purposes, its data-sensitivity ceiling, and an optional binding of `task.id` to a request header or
 * route parameter.
 */
export const taskBinding: Check = ({ claims, route, request, now, settings }) => {
  if (!claims || !route) return undefined;
  const { task } = claims;
  const tolerance = settings.token.clockTolerance * 1000;
  if (typeof task.created_at === 'number' && task.created_at * 1000 > now + tolerance) {
    return deny('task_expired', { rule: 'created_in_future' });
  }
  if (typeof task.expires_at === 'number' && task.expires_at * 1000 <= now) {
    return deny('task_expired', { rule: 'task_expired' });
  }
  if (route.purposeSet && !route.purposeSet.has(task.purpose)) return deny('task_mismatch', { rule: 'purpose' });
  if (route.sensitivityCeiling !== undefined && task.data_sensitivity !== undefined) {
    // An unknown level is above every ceiling: fail closed.
    const rank = levelRank(task.data_sensitivity) ?? Number.POSITIVE_INFINITY;
    if (rank > route.sensitivityCeiling) return deny('task_mismatch', { rule: 'data_sensitivity' });
  }
  if (route.taskId && boundTaskId(request, route.taskId) !== task.id) return deny('task_mismatch', { rule: 'task_id' });
  return undefined;
};

function boundTaskId(request: RequestInfo, { from, name }: NonNullable<CompiledRoute['taskId']>): string | undefined {
  return from === 'param' ? request.params?.[name] : singleHeader(request.headers[name]); // sent twice: binds nothing
}

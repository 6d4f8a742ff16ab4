import { randomBytes } from 'node:crypto';

const PROCESS = randomBytes(9).toString('base64url');
let counter = 0;

/**
 * A request id unique across processes and replicas (random per-process prefix + counter): the member
 * of sliding-window logs, so two requests at the same millisecond are both counted.
 */
export function nextRequestId(): string {
  counter = counter >= Number.MAX_SAFE_INTEGER ? 1 : counter + 1;
  return `${PROCESS}.${counter.toString(36)}`;
}

/**
 * The action grammar of the draft (ABNF, RFC 5234):
 *   action-name = component *( "." component )
 *   component   = ALPHA *( ALPHA / DIGIT / "-" / "_" )
 * and the 128-character limit of "String Length Limits".
 */
const ACTION = /^[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z][A-Za-z0-9_-]*)*$/;

/** Whether `value` is a valid AAP action name. */
export function isActionName(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 128 && ACTION.test(value);
}

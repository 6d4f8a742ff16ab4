import type { HoldOperation } from '../../base/stores/holds.js';
import type { RequestOperation } from '../../base/types/request.js';
import { escapeControls } from './escape-controls.js';
import { holdPreview, type PreviewSettings } from './preview.js';

const MAX_KIND = 64;
const MAX_NAME = 200;

/**
 * What a hold keeps of its request's operation (`RequestInfo.operation`): kind and name, bounded and with
 * invisible characters escaped; the arguments, with `oversight.preview` on, as a preview of their JSON —
 * redacted and cut like a JSON body (`holdPreview`). Arguments that cannot be written as JSON show no text.
 *
 * @example
 * holdOperation({ kind: 'mcp.tools/call', name: 'publish', arguments: { id: 'd-1', token: 'x' } }, settings, [])
 * // { kind: 'mcp.tools/call', name: 'publish', arguments: { contentType: 'application/json', bytes: 25, text: '{\n
 * // "id": "d-1",\n  "token": "[redacted]"\n}', truncated: false } }
 */
export function holdOperation(
  operation: RequestOperation,
  settings: PreviewSettings | undefined,
  secrets: readonly string[],
): HoldOperation | undefined {
  if (typeof operation?.kind !== 'string' || typeof operation.name !== 'string') return undefined;
  const kind = bounded(operation.kind, MAX_KIND);
  const name = bounded(operation.name, MAX_NAME);
  if (!settings || operation.arguments === undefined) return { kind, name };
  let json: string | undefined;
  try {
    json = JSON.stringify(operation.arguments);
  } catch {
    json = undefined; // a cycle, a BigInt: nothing to redact with certainty
  }
  const args =
    json === undefined
      ? { contentType: 'application/json', omitted: 'unparsable' as const }
      : holdPreview(Buffer.from(json), 'application/json', settings, secrets);
  return { kind, name, arguments: args };
}

function bounded(text: string, max: number): string {
  const shown = escapeControls(text, 'value');
  return shown.length <= max ? shown : `${shown.slice(0, max - 1)}…`;
}

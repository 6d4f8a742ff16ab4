import type { RevocationKey } from '../../concerns/revocation/revoke.js';

/**
 * The security events the receiver applies, by event type URI (RFC 8417 §2.2 `events` member names).
 *
 * - `AAP_REVOCATION_EVENT` — defined by aap-guard (the AAP draft names none): revoke by token `jti`,
 *   `task_id`, `agent_id`, `grant_id`, `parent_jti` (the token's descendants), `sub` or `operator`, each a
 *   string; optional `until` (NumericDate: end of the revocation) and `reason`.
 * - OpenID CAEP 1.0 `session-revoked` and RISC 1.0 `credential-compromise` — revoke what their subject
 *   names: a `jwt_id` subject (OpenID SSF 1.0: `{ format: "jwt_id", iss, jti }`) revokes that token (and
 *   its descendants); an `iss_sub` subject (RFC 9493 §3.2.2) every token of that user; `aliases` each of its
 *   identifiers. The subject is the event's `subject` member (CAEP) or the SET's `sub_id` (SSF 1.0).
 *
 * Other event types in a SET are acknowledged and ignored (RFC 8417 §2.2 lets a recipient ignore events it
 * does not understand); a known event with a malformed payload makes the whole SET `invalid_request`.
 */
export const AAP_REVOCATION_EVENT = 'https://aap-protocol.org/secevent/revocation';
/** OpenID Continuous Access Evaluation Profile 1.0, §3.1. */
export const CAEP_SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
/** OpenID RISC Profile 1.0, §2.7. */
export const RISC_CREDENTIAL_COMPROMISE = 'https://schemas.openid.net/secevent/risc/event-type/credential-compromise';

/**
 * What one SET asks to revoke: a `guard.revoke()` key (`sub` and `operator` name users and agent
 * operators, `issuer` scopes ids to the issuer that minted them — RFC 7519 §4.1.7: a `jti` is unique per
 * issuer).
 */
export type EventRevocation = RevocationKey;

/** The revocations of one SET, and their `until` (ms) when the event gives one. */
export interface EventRevocations {
  readonly keys: readonly EventRevocation[];
  readonly until: number | undefined;
  readonly reason: string | undefined;
  /** Event types present but not understood (acknowledged, ignored). */
  readonly ignored: readonly string[];
}

const AAP_MEMBERS: readonly (readonly [string, keyof EventRevocation])[] = [
  ['jti', 'jti'],
  ['task_id', 'taskId'],
  ['agent_id', 'agentId'],
  ['grant_id', 'grantId'],
  ['parent_jti', 'parentJti'],
  ['sub', 'sub'],
  ['operator', 'operator'],
];

/** Thrown for a known event with a malformed payload: the SET is answered `invalid_request`. */
export class EventPayloadError extends Error {
  override readonly name = 'EventPayloadError';
}

/**
 * Map the `events` of a verified SET to revocation keys, each scoped to the SET's own issuer. A subject
 * naming any other issuer — even one this RS trusts — is malformed (`EventPayloadError`, answered
 * `invalid_request`): an issuer speaks for its own subjects only (RFC 8417 §2.1: the SET's `iss` is who
 * makes the statement; RFC 7519 §4.1.7 and RFC 9493 §3.2.2: `jti` and `sub` are unique per issuer), so
 * trusting issuer A's keys must never let A revoke issuer B's users or tokens. One such subject refuses
 * the whole SET (nothing of it is applied).
 *
 * @example
 * const { keys } = revocationsOf(verified.payload); // verified: its `iss` is a trusted issuer
 */
export function revocationsOf(payload: Readonly<Record<string, unknown>>): EventRevocations {
  const signer = String(payload.iss);
  const events = payload.events as Record<string, unknown>;
  const keys: EventRevocation[] = [];
  const ignored: string[] = [];
  let until: number | undefined;
  let reason: string | undefined;
  for (const [type, event] of Object.entries(events)) {
    const body = object(event, `event ${type}`);
    if (type === AAP_REVOCATION_EVENT) {
      keys.push(aapKey(body, signer));
      until = numericDate(body.until);
      reason = optionalText(body.reason, 'reason');
    } else if (type === CAEP_SESSION_REVOKED || type === RISC_CREDENTIAL_COMPROMISE) {
      keys.push(...subjectKeys(body.subject ?? payload.sub_id, signer));
      reason ??= type === CAEP_SESSION_REVOKED ? 'session revoked' : 'credential compromise';
    } else {
      ignored.push(type);
    }
  }
  return { keys, until, reason, ignored };
}

function aapKey(body: Record<string, unknown>, iss: string): EventRevocation {
  const key: Record<string, string> = {};
  for (const [member, name] of AAP_MEMBERS) {
    const value = body[member];
    if (value !== undefined) key[name] = text(value, member);
  }
  if (Object.keys(key).length === 0)
    throw new EventPayloadError(`the revocation event names none of ${AAP_MEMBERS.map(([m]) => m).join(', ')}`);
  return { ...key, issuer: iss };
}

/** RFC 9493 subject identifiers (and OpenID SSF's `jwt_id`), of the SET issuer `signer` only. */
function subjectKeys(subject: unknown, signer: string): EventRevocation[] {
  const id = object(subject, 'subject');
  const issuer = () => {
    const iss = text(id.iss, 'subject.iss');
    if (iss !== signer) throw new EventPayloadError('the subject names an issuer other than the SET issuer');
    return iss;
  };
  switch (id.format) {
    case 'jwt_id':
      return [{ jti: text(id.jti, 'subject.jti'), issuer: issuer() }];
    case 'iss_sub':
      return [{ sub: text(id.sub, 'subject.sub'), issuer: issuer() }];
    case 'aliases': {
      const list = Array.isArray(id.identifiers) ? id.identifiers : [];
      if (list.length === 0) throw new EventPayloadError('aliases without identifiers');
      return list.flatMap((alias) => subjectKeys(alias, signer));
    }
    default:
      throw new EventPayloadError(
        `subject format ${JSON.stringify(id.format)} names nothing this resource server can revoke (jwt_id, iss_sub, aliases)`,
      );
  }
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new EventPayloadError(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512)
    throw new EventPayloadError(`${what} must be a non-empty string`);
  return value;
}

function optionalText(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : text(value, what).slice(0, 256);
}

function numericDate(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new EventPayloadError('until must be a NumericDate');
  return value * 1000;
}

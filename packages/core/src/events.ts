/**
 * @aap-guard/core/events — Security Event Tokens (RFC 8417) that revoke tokens, received by push
 * (RFC 8935) or poll (RFC 8936): `securityEventReceiver(guard, options)`. The adapters mount it
 * (`aapEvents()` of each); use this entry for another framework or to poll.
 */
export {
  securityEventReceiver,
  type SecurityEventReceiver,
  type SecurityEventOptions,
  type PushedSet,
  type EventResponse,
} from './surfaces/events/receiver.js';
export type { PollOptions, PollReport, SecurityEventPoller } from './surfaces/events/poller.js';
export type { SetError, SetErrorCode, SetOutcome } from './surfaces/events/verify-set.js';
export {
  AAP_REVOCATION_EVENT,
  CAEP_SESSION_REVOKED,
  RISC_CREDENTIAL_COMPROMISE,
  type EventRevocation,
} from './surfaces/events/event-types.js';

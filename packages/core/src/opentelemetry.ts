/**
 * @aap-guard/core/opentelemetry — spans and metrics for aap-guard through OpenTelemetry. Needs
 * `@opentelemetry/api` (an optional peer dependency of @aap-guard/core); the root entry never loads it.
 */
export {
  installOpenTelemetry,
  type OpenTelemetryOptions,
  type OpenTelemetryInstallation,
} from './base/observe/open-telemetry.js';

import Ajv2020Module from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { isDateTime } from './date-time.js';
// The vendored schemas (verbatim copies of the spec's `schemas/`), imported rather than read from
// disk: no path to compute at run time (no `import.meta.url`, which a CommonJS build lacks), and
// bundlers see them. The build copies them next to the compiled module in both builds.
import agent from './schemas/aap-agent.schema.json' with { type: 'json' };
import audit from './schemas/aap-audit.schema.json' with { type: 'json' };
import capabilities from './schemas/aap-capabilities.schema.json' with { type: 'json' };
import constraints from './schemas/aap-constraints.schema.json' with { type: 'json' };
import context from './schemas/aap-context.schema.json' with { type: 'json' };
import delegation from './schemas/aap-delegation.schema.json' with { type: 'json' };
import oversight from './schemas/aap-oversight.schema.json' with { type: 'json' };
import task from './schemas/aap-task.schema.json' with { type: 'json' };
import token from './schemas/aap-token.schema.json' with { type: 'json' };

const SCHEMAS = { agent, task, capabilities, constraints, oversight, delegation, context, audit, token };
const TOKEN_ID = 'https://aap-protocol.org/schemas/aap-token.schema.json';

// ajv is CommonJS: under NodeNext the default import is `module.exports`, whose `default` is the class.
const Ajv2020 = Ajv2020Module.default;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- schema documents

let compiled: ValidateFunction | undefined;

/**
 * The validator of a token payload in the bare spelling, compiled once per process from the spec's
 * schemas with the patches below. Called at `createGuard()` so the cost is paid at startup.
 */
export function claimsValidator(): ValidateFunction {
  if (compiled) return compiled;
  // A copy: the patches below must not change the imported modules, shared with any other importer.
  const schemas = new Map(Object.entries(structuredClone(SCHEMAS) as Record<string, Json>));
  patch(schemas);
  const ajv = new Ajv2020({
    allErrors: false,
    strict: true,
    strictTypes: false,
    logger: false,
    // Formats are not enforced (`uri`, `hostname`: the draft's own examples break them, e.g.
    // `approval_reference: "policy-id"`), except date-time for time windows (cheap, and a malformed
    // window could never be evaluated).
    formats: { uri: true, hostname: true, 'date-time': isDateTime },
  });
  for (const schema of schemas.values()) ajv.addSchema(schema);
  compiled = ajv.getSchema(TOKEN_ID) as ValidateFunction;
  return compiled;
}

/** Where the spec's schemas are stricter or looser than the spec's text and vectors. */
function patch(schemas: Map<string, Json>): void {
  const get = (name: string): Json => schemas.get(name)!;
  const token = get('token');
  // The spec's README: real authorization servers add claims (client_id, scope, grant_id…).
  delete token.additionalProperties;
  // The delegation check owns `delegation`: the vectors expect a malformed one (missing depth, empty
  // chain) to be 403 aap_invalid_delegation_chain, not 401.
  delete token.properties.delegation;
  // `agent.model` is an object in the draft's examples and vector 03, a string in the schema: accept both.
  get('agent').properties.model = { type: ['string', 'object'] };
  // IPv6 CIDRs are valid ranges too; the constraint check parses them (and rejects garbage).
  get('constraints').properties.ip_ranges_allowed.items = { type: 'string' };
  // The draft's example uses `approval_reference: "policy-id"`: not a URI (formats are not enforced anyway).
  const oversight = get('oversight').properties;
  delete oversight.approval_reference.format;
  // The draft's Claim Semantics section names the member `requires_approval_for`; its schema
  // `requires_human_approval_for`. Both are honoured (union), so both are validated alike.
  oversight.requires_approval_for = structuredClone(oversight.requires_human_approval_for);
  lengths(schemas);
}

/** Draft "String Length Limits" (RS SHOULD reject); `task.purpose` is 256 there, 500 in the schema: the draft wins. */
function lengths(schemas: Map<string, Json>): void {
  const limit = (node: Json, max: number) => Object.assign(node, { minLength: 1, maxLength: max });
  const agent = schemas.get('agent')!.properties;
  limit(agent.id, 128);
  limit(agent.type, 64);
  limit(agent.operator, 256);
  const task = schemas.get('task')!.properties;
  limit(task.id, 128);
  limit(task.purpose, 256);
  limit(schemas.get('capabilities')!.items.properties.action, 128);
  limit(schemas.get('audit')!.properties.trace_id, 256);
}

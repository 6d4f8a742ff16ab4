import type { AgentClaim } from '../base/claims/model.js';
import type { AgentRules } from '../options/policy.js';
import { deny } from '../base/deny/deny.js';
import type { Check } from './context.js';

/**
 * Step 5: agent identity against local policy (draft "Agent Identity Validation"): allowed and
 * denied agent ids and operators, denied model ids, and `runtime.attested` when required.
 * Without an `agents` option every well-formed agent is recognized.
 */
export const agentPolicy: Check = ({ claims, settings }) => {
  const rules = settings.policy.agents;
  if (!rules || !claims) return undefined;
  const violation = violated(rules, claims.agent);
  return violation === undefined
    ? undefined
    : deny('agent_not_recognized', { rule: violation, agent: claims.agent.id });
};

function violated(rules: AgentRules, agent: AgentClaim): string | undefined {
  if (rules.deny?.has(agent.id)) return 'agent_denied';
  if (rules.allow && !rules.allow.has(agent.id)) return 'agent_not_allowed';
  if (rules.deniedOperators?.has(agent.operator)) return 'operator_denied';
  if (rules.operators && !rules.operators.has(agent.operator)) return 'operator_not_allowed';
  if (rules.deniedModels && isDeniedModel(rules.deniedModels, agent.model)) return 'model_denied';
  if (rules.requireAttested && agent.runtime?.attested !== true) return 'not_attested';
  return undefined;
}

/** `model` is a string in the draft's schema and `{ provider, id, version }` in its examples: match both. */
function isDeniedModel(denied: ReadonlySet<string>, model: AgentClaim['model']): boolean {
  if (typeof model === 'string') return denied.has(model);
  if (!model || typeof model !== 'object') return false;
  const { provider, id, version } = model;
  return [id, version, provider && id && `${provider}/${id}`].some(
    (name) => typeof name === 'string' && denied.has(name),
  );
}

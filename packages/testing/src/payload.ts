/** Options of `aapPayload()`. */
export interface AapPayloadOptions {
  /** Claim spelling: the draft's bare names (default) or `aap_`-prefixed names. */
  readonly spelling?: 'bare' | 'prefixed';
  readonly agentId?: string;
  readonly operator?: string;
  readonly taskId?: string;
  readonly purpose?: string;
  /** Capabilities; default one capability for `search.web` without constraints. */
  readonly capabilities?: readonly Record<string, unknown>[];
  /** Any further AAP sections (oversight, delegation, context, audit), by bare name. */
  readonly sections?: Readonly<Record<string, unknown>>;
}

const AAP_SECTIONS = ['agent', 'task', 'capabilities', 'oversight', 'delegation', 'context', 'audit'] as const;

/**
 * Build the AAP part of a token payload (no registered claims).
 *
 * @example
 * aapPayload({ capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: 5 } }] });
 */
export function aapPayload(options: AapPayloadOptions = {}): Record<string, unknown> {
  const agentId = options.agentId ?? 'agent-researcher-01';
  const sections: Record<string, unknown> = {
    agent: { id: agentId, type: 'llm-autonomous', operator: options.operator ?? 'org:example' },
    task: { id: options.taskId ?? 'task-001', purpose: options.purpose ?? 'research' },
    capabilities: options.capabilities ?? [{ action: 'search.web' }],
    delegation: { depth: 0, max_depth: 2, chain: [agentId] },
    ...options.sections,
  };
  if (options.spelling !== 'prefixed') return sections;
  return Object.fromEntries(
    Object.entries(sections).map(([k, v]) => [(AAP_SECTIONS as readonly string[]).includes(k) ? `aap_${k}` : k, v]),
  );
}

// The agents this authorization server knows: each OAuth client is one agent, registered with the AAP
// claims its tokens carry (the AS decides what an agent may do; the agent only asks for a token).
// A real AS keeps this in its database; the `spelling` shows that both claim spellings are understood.

/** Client secret of every demo client (a real deployment gives each its own, or uses private_key_jwt). */
export const DEMO_SECRET = 'demo-client-secret';

const agent = (id, extra = {}) => ({ id, type: 'llm-autonomous', operator: 'org:example', ...extra });

/**
 * client_id → { claims, spelling?, format?, ttl?, resource?, subject? } (`subject: false`: no `sub` claim). `claims`
 * are the AAP sections; `delegation`
 * is filled in (depth 0, chain [agent id]) when absent.
 */
export const AGENTS = {
  'agent-writer-01': {
    claims: {
      agent: agent('agent-writer-01', { name: 'Content writer' }),
      task: { id: 'task-writer-001', purpose: 'research' },
      capabilities: [
        { action: 'search.web', constraints: { domains_allowed: ['wikipedia.org'] } },
        { action: 'cms.create_draft', constraints: { max_drafts_per_day: 20 } },
        { action: 'cms.publish' },
      ],
      oversight: { requires_human_approval_for: ['cms.publish'], approval_reference: 'policy-7' },
      delegation: { depth: 0, max_depth: 2, chain: ['agent-writer-01'] },
    },
  },
  // The demo's `--serve` mode: an editor whose publishing waits in the approval console for a person.
  'agent-editor-07': {
    claims: {
      agent: agent('agent-editor-07', { name: 'Editor' }),
      task: { id: 'task-editor-007', purpose: 'publishing' },
      capabilities: [{ action: 'cms.publish' }],
      oversight: { requires_human_approval_for: ['cms.publish'] },
    },
  },
  'agent-search-02': {
    claims: {
      agent: agent('agent-search-02'),
      task: { id: 'task-search-002', purpose: 'research' },
      capabilities: [{ action: 'search.web' }],
    },
    spelling: 'prefixed',
  },
  'agent-search-03': {
    claims: {
      agent: agent('agent-search-03'),
      task: { id: 'task-search-003', purpose: 'research' },
      capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: 2 } }],
    },
  },
  // An AS that got delegation wrong (depth 3 where max_depth is 2): the resource server refuses it anyway —
  // the draft asks both layers to validate.
  'agent-search-04': {
    claims: {
      agent: agent('agent-search-04'),
      task: { id: 'task-search-004', purpose: 'research' },
      capabilities: [{ action: 'search.web' }],
      delegation: { depth: 3, max_depth: 2, chain: ['agent-search-04', 'tool-a', 'tool-b', 'tool-c'] },
    },
  },
  'agent-search-05': {
    claims: {
      agent: agent('agent-search-05'),
      task: { id: 'task-search-005', purpose: 'research' },
      capabilities: [{ action: 'search.web' }],
    },
  },
  // Its tokens are issued with a clock an hour slow (exp already past): what a resource server sees of an AS with a
  // stopped clock.
  'agent-stale-clock': {
    claims: {
      agent: agent('agent-stale-clock'),
      task: { id: 'task-stale', purpose: 'research' },
      capabilities: [{ action: 'search.web' }],
    },
    clockSkew: -7200,
  },
  // Gets opaque tokens: the resource server introspects them (RFC 7662).
  'agent-opaque-06': {
    claims: {
      agent: agent('agent-opaque-06'),
      task: { id: 'task-opaque-006', purpose: 'research' },
      capabilities: [{ action: 'search.web' }],
    },
    format: 'opaque',
  },
  // Opaque tokens as a stock client-credentials setup issues them: no `sub` (RFC 7662 makes it optional);
  // the resource server takes the answer's `client_id` as the subject.
  'agent-opaque-08': {
    claims: {
      agent: agent('agent-opaque-08'),
      task: { id: 'task-opaque-008', purpose: 'research' },
      capabilities: [{ action: 'search.web' }],
    },
    format: 'opaque',
    subject: false,
  },
  // A tool a writer delegates to (RFC 8693 token exchange): its own identity, the writer's task and a subset of its
  // capabilities.
  'tool-summarizer': {
    claims: {
      agent: agent('tool-summarizer', { type: 'tool' }),
      task: { id: 'task-none', purpose: 'research' },
      capabilities: [{ action: 'search.web' }],
    },
  },
};

/**
 * The AAP claims of a client's token, in its spelling, with a delegation section.
 * @param {string} clientId
 * @returns {Record<string, unknown> | undefined}
 */
export function aapClaimsOf(clientId) {
  const entry = AGENTS[clientId];
  if (!entry) return undefined;
  const claims = {
    delegation: { depth: 0, max_depth: 2, chain: [entry.claims.agent.id] },
    ...structuredClone(entry.claims),
  };
  return spelled(claims, entry.spelling);
}

/** The draft's bare names, or the `aap_`-prefixed spelling seen in the wild. */
export function spelled(claims, spelling = 'bare') {
  if (spelling !== 'prefixed') return claims;
  return Object.fromEntries(Object.entries(claims).map(([name, value]) => [`aap_${name}`, value]));
}

import { beforeAll, describe, expect, it } from 'vitest';
import { createGuard, type Guard } from '@aap-guard/core';
import { createIssuer, type MintOptions, type TestIssuer } from '@aap-guard/testing';
import { NOW, bearer, payloadJson, signRaw } from '../../helpers/tokens.js';

let as: TestIssuer;
let guard: Guard;
beforeAll(async () => {
  as = await createIssuer({ now: () => NOW });
  guard = createGuard({ issuer: as.issuer, audience: 'https://api.example.com', jwks: as.jwks, now: () => NOW });
});

const check = async (mint: MintOptions) => guard.check(bearer(await as.mint(mint)));
const invalidAt = async (mint: MintOptions) => {
  const d = await check(mint);
  expect([d.status, d.error, d.reason]).toEqual([401, 'invalid_token', 'token_claims_invalid']);
  return d.audit.detail?.path;
};
const agent = { id: 'agent-1', type: 'llm-autonomous', operator: 'org:example' };

describe('AAP claims: normalization and validation', () => {
  it('prefixed spelling normalizes to the same model; non-AAP claims land in extra', async () => {
    const d = await check({
      spelling: 'prefixed',
      claims: { client_id: 'c1', scope: 'aap:research', grant_id: 'g1' },
      sections: { audit: { trace_id: 't-1' } },
    });
    expect(d.allowed).toBe(true);
    expect(d.claims?.audit?.trace_id).toBe('t-1');
    expect(d.claims?.delegation?.depth).toBe(0);
    expect({ ...d.claims?.extra }).toEqual({ client_id: 'c1', scope: 'aap:research', grant_id: 'g1' });
    expect(d.claims).not.toHaveProperty('aap_agent');
  });

  it('both spellings of one section: token_claims_invalid', async () => {
    expect(await invalidAt({ claims: { aap_agent: agent } })).toBe('/agent');
  });

  it('missing required sections and members (vector invalid-tokens/03)', async () => {
    expect(await invalidAt({ claims: { agent: undefined } })).toBe('/agent');
    expect(await invalidAt({ claims: { task: undefined } })).toBe('/task');
    expect(await invalidAt({ claims: { capabilities: undefined } })).toBe('/capabilities');
    expect(await invalidAt({ sections: { agent: { type: 'x', operator: 'y' } } })).toBe('/agent/id');
    expect(await invalidAt({ sections: { task: { id: 't' } } })).toBe('/task/purpose');
    expect(await invalidAt({ capabilities: [] })).toBe('/capabilities');
  });

  it('action ABNF and string length limits', async () => {
    expect(await invalidAt({ capabilities: [{ action: '1search' }] })).toBe('/capabilities/0/action');
    expect(await invalidAt({ capabilities: [{ action: 'search..web' }] })).toBe('/capabilities/0/action');
    expect(await invalidAt({ capabilities: [{ action: `a${'b'.repeat(128)}` }] })).toBe('/capabilities/0/action');
    expect((await check({ capabilities: [{ action: `a${'b'.repeat(127)}` }] })).allowed).toBe(true);
    expect(await invalidAt({ sections: { agent: { ...agent, id: 'x'.repeat(129) } } })).toBe('/agent/id');
    expect(await invalidAt({ sections: { agent: { ...agent, type: '' } } })).toBe('/agent/type');
    expect(await invalidAt({ sections: { agent: { ...agent, operator: 'o'.repeat(257) } } })).toBe('/agent/operator');
    expect(await invalidAt({ taskId: 't'.repeat(129) })).toBe('/task/id');
    expect(await invalidAt({ purpose: 'p'.repeat(257) })).toBe('/task/purpose');
    expect(await invalidAt({ sections: { audit: { trace_id: '' } } })).toBe('/audit/trace_id');
  });

  it('wrong types are refused', async () => {
    expect(await invalidAt({ sections: { agent: 'agent-1' } })).toBe('/agent');
    expect(
      await invalidAt({ capabilities: [{ action: 'search.web', constraints: { max_requests_per_minute: '5' } }] }),
    ).toBe('/capabilities/0/constraints/max_requests_per_minute');
    expect(
      await invalidAt({
        capabilities: [
          { action: 'a.b', constraints: { time_window: { start: 'ISO-8601', end: '2025-01-01T00:00:00Z' } } },
        ],
      }),
    ).toBe('/capabilities/0/constraints/time_window/start');
    expect(await invalidAt({ claims: { act: 'someone' } })).toBe('/act');
    expect(await invalidAt({ claims: { iat: undefined } })).toBe('/iat'); // required by the token schema and RFC 9068 §2.2
  });

  it('accepts what the draft itself uses: model object, IPv6 ranges, approval_reference "policy-id", unknown constraints', async () => {
    const d = await check({
      sections: {
        agent: {
          ...agent,
          model: { provider: 'p', id: 'm', version: '1' },
          runtime: { environment: 'k8s', attested: true },
        },
        oversight: { requires_human_approval_for: ['cms.publish'], approval_reference: 'policy-id' },
        context: { network_zone: 'public-internet-only', geo_restriction: 'none' },
      },
      capabilities: [
        {
          action: 'search.web',
          constraints: { ip_ranges_allowed: ['2001:db8::/32', '10.0.0.0/8'], status: 'draft_only' },
        },
      ],
    });
    expect(d.allowed).toBe(true);
    expect((await check({ sections: { agent: { ...agent, model: 'gpt-x' } } })).allowed).toBe(true);
  });

  it('does not judge delegation: a malformed one passes through to the delegation check', async () => {
    const d = await check({ sections: { delegation: { max_depth: 2, chain: [] } } });
    expect(d.reason).not.toBe('token_claims_invalid');
    expect(d.claims?.delegation).toEqual({ max_depth: 2, chain: [] });
  });

  it('__proto__ and constructor keys neither pollute nor crash', async () => {
    const hostile =
      ',"__proto__":{"polluted":"yes","agent":{"id":"evil"}},"constructor":{"prototype":{"polluted":"yes"}}' +
      ',"aap_context":{"__proto__":{"polluted":"yes"}}';
    const payload = payloadJson(as, hostile)
      .replace('"agent":{', '"agent":{"__proto__":{"polluted":"yes"},')
      .replace(
        '{"action":"search.web"}',
        '{"action":"search.web","constraints":{"__proto__":{"max_requests_per_minute":1}}}',
      );
    const d = await guard.check(bearer(await signRaw(as, payload)));
    expect(d.allowed).toBe(true);
    expect(d.claims?.agent.id).toBe('agent-1');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    const extra = d.claims!.extra;
    expect(Object.getPrototypeOf(extra)).toBeNull();
    expect(Object.hasOwn(extra, '__proto__')).toBe(true);
    expect(Object.hasOwn(extra, 'constructor')).toBe(true);
    expect(d.claims?.capabilities[0]?.constraints?.max_requests_per_minute).toBeUndefined();
    expect(d.claims?.context?.polluted).toBeUndefined();
    const sectionProto = await guard.check(
      bearer(
        await signRaw(
          as,
          payloadJson(as).replace('"agent":{', '"__proto__":{"x":1},"aap_task":{"id":"t","purpose":"p"},"agent":{'),
        ),
      ),
    );
    expect(sectionProto.reason).toBe('token_claims_invalid'); // task + aap_task: both spellings
  });
});

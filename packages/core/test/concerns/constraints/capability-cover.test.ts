import { describe, expect, it } from 'vitest';
import type { Capability } from '../../../src/base/claims/model.js';
import { uncovered } from '../../../src/concerns/constraints/capability-cover.js';

const cap = (action: string, constraints?: Record<string, unknown>): Capability =>
  constraints ? { action, constraints } : { action };

describe('uncovered(): a delegated token never broader than its parent', () => {
  it('an action the parent lacks', () => {
    expect(uncovered([cap('search.web'), cap('cms.publish')], [cap('search.web')])).toEqual({
      index: 1,
      action: 'cms.publish',
      constraint: undefined,
    });
  });
  it('no constraint on the parent: anything goes; a parent constraint the child drops is looser', () => {
    expect(uncovered([cap('a', { max_requests_per_hour: 5 })], [cap('a')])).toBeUndefined();
    expect(uncovered([cap('a')], [cap('a', { max_requests_per_hour: 5 })])).toMatchObject({
      constraint: 'max_requests_per_hour',
    });
  });
  it('limits no higher', () => {
    expect(
      uncovered([cap('a', { max_requests_per_minute: 10 })], [cap('a', { max_requests_per_minute: 10 })]),
    ).toBeUndefined();
    expect(uncovered([cap('a', { max_request_size: 11 })], [cap('a', { max_request_size: 10 })])).toMatchObject({
      constraint: 'max_request_size',
    });
  });
  it('domains a subset (DNS suffix), blocked domains kept', () => {
    const parent = [cap('a', { domains_allowed: ['example.org'], domains_blocked: ['bad.example.org'] })];
    expect(
      uncovered([cap('a', { domains_allowed: ['docs.example.org'], domains_blocked: ['example.org'] })], parent),
    ).toBeUndefined();
    expect(
      uncovered([cap('a', { domains_allowed: ['example.com'], domains_blocked: ['bad.example.org'] })], parent),
    ).toMatchObject({ constraint: 'domains_allowed' });
    expect(
      uncovered([cap('a', { domains_allowed: ['badexample.org'], domains_blocked: ['bad.example.org'] })], parent),
    ).toMatchObject({ constraint: 'domains_allowed' });
    expect(uncovered([cap('a', { domains_allowed: ['example.org'] })], parent)).toMatchObject({
      constraint: 'domains_blocked',
    });
  });
  it('windows inside, methods and regions subsets, classification no higher, IP ranges within', () => {
    const parent = [
      cap('a', {
        time_window: { start: '2025-01-01T00:00:00Z', end: '2025-02-01T00:00:00Z' },
        allowed_methods: ['GET', 'POST'],
        allowed_regions: ['US', 'CA'],
        data_classification_max: 'confidential',
        ip_ranges_allowed: ['10.0.0.0/8'],
      }),
    ];
    const ok = {
      time_window: { start: '2025-01-02T00:00:00Z', end: '2025-01-03T00:00:00Z' },
      allowed_methods: ['get'],
      allowed_regions: ['US'],
      data_classification_max: 'internal',
      ip_ranges_allowed: ['10.0.0.0/8', '10.1.2.3'],
    };
    expect(uncovered([cap('a', ok)], parent)).toBeUndefined();
    expect(
      uncovered(
        [cap('a', { ...ok, time_window: { start: '2024-12-31T00:00:00Z', end: '2025-01-03T00:00:00Z' } })],
        parent,
      ),
    ).toMatchObject({ constraint: 'time_window' });
    expect(uncovered([cap('a', { ...ok, allowed_methods: ['DELETE'] })], parent)).toMatchObject({
      constraint: 'allowed_methods',
    });
    expect(uncovered([cap('a', { ...ok, data_classification_max: 'restricted' })], parent)).toMatchObject({
      constraint: 'data_classification_max',
    });
    expect(uncovered([cap('a', { ...ok, ip_ranges_allowed: ['11.0.0.1'] })], parent)).toMatchObject({
      constraint: 'ip_ranges_allowed',
    });
  });
  it('an unknown constraint must be equal; any parent capability of the action may cover', () => {
    expect(uncovered([cap('a', { x_custom: { n: 1 } })], [cap('a', { x_custom: { n: 1 } })])).toBeUndefined();
    expect(uncovered([cap('a', { x_custom: 2 })], [cap('a', { x_custom: 1 })])).toMatchObject({
      constraint: 'x_custom',
    });
    expect(
      uncovered([cap('a', { max_depth: 1 })], [cap('a', { max_depth: 0 }), cap('a', { max_depth: 2 })]),
    ).toBeUndefined();
  });
});

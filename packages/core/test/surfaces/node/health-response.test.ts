/**
 * The readiness route's options (`aap.health(options)` on every adapter): validated once, where the
 * route is made, with a `TypeError` naming the option.
 */
import { healthRouteOptions } from '@aap-guard/core/node';
import { describe, expect, it } from 'vitest';

describe('healthRouteOptions', () => {
  it('accepts nothing, or { detail: boolean }', () => {
    expect(healthRouteOptions(undefined, 'aap.health')).toEqual({});
    expect(healthRouteOptions({ detail: true }, 'aap.health')).toEqual({ detail: true });
  });

  it.each([
    [{ details: true }, /aap\.health\(options\): unknown option "details" — did you mean "detail"\?/],
    [{ detail: 'yes' }, /aap\.health\(options\): options\.detail must be a boolean/],
    ['detail', /aap\.health\(options\): options must be an object/],
  ])('refuses %j with a TypeError naming the option', (given, message) => {
    expect(() => healthRouteOptions(given, 'aap.health')).toThrow(message);
    expect(() => healthRouteOptions(given, 'aap.health')).toThrow(TypeError);
  });
});

import { describe, expect, it } from 'vitest';
import { requestKeys } from '../../../src/concerns/rate-limits/keys.js';

/** The Redis Cluster hash tag: the text between the first `{` and the first `}` after it. */
const hashTag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];

describe('requestKeys', () => {
  it('puts every key of a request under one hash tag, including action, window and mode', () => {
    const keys = requestKeys('jti:abc');
    const window = keys.window('api.call', 'minute', 'sliding');
    expect(window).toBe('{jti:abc}:rl:api.call:minute:s');
    expect(keys.window('api.call', 'hour', 'fixed')).toBe('{jti:abc}:rl:api.call:hour:f');
    expect(hashTag(keys.replay('thumb', 'proof-1'))).toBe(hashTag(window));
  });

  it.each([
    ['}', '}'],
    ['{x}', '{x}'],
    ['a}b{c', 'a}b{c'],
    ['a space', ' '],
    ['5000 chars', 'x'.repeat(5000)],
  ])('a hostile jti (%s) cannot break the tag or grow keys', (_label, jti) => {
    const keys = requestKeys(`jti:${jti}`);
    const window = keys.window('api.call', 'minute', 'sliding');
    expect(hashTag(window)).toMatch(/^#[A-Za-z0-9_-]{43}$/);
    expect(window.length).toBeLessThan(100);
    expect(hashTag(keys.replay('t', `${jti}`))).toBe(hashTag(window));
  });

  it('different subjects never share keys', () => {
    expect(requestKeys('jti:a').window('x', 'minute', 'sliding')).not.toBe(
      requestKeys('jti:b').window('x', 'minute', 'sliding'),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { forwardedOrigin } from '../../../src/base/request/forwarded.js';
import { normalizeHtu } from '../../../src/concerns/pop/htu.js';

describe('normalizeHtu (RFC 9449 §4.3 step 9, RFC 3986 §6.2.2)', () => {
  it('normalizes scheme and host case, default ports, dot segments and percent-encoding; drops query and fragment', () => {
    const cases: Array<[string, string]> = [
      ['HTTPS://API.Example.COM:443/v1/search?q=1#top', 'https://api.example.com/v1/search'],
      ['http://api.example.com:80/a', 'http://api.example.com/a'],
      ['https://api.example.com:8443/a', 'https://api.example.com:8443/a'],
      ['https://api.example.com/a/./b/../c', 'https://api.example.com/a/c'],
      ['https://api.example.com/%7euser/%2fx', 'https://api.example.com/~user/%2Fx'],
      ['https://api.example.com/%41%62c', 'https://api.example.com/Abc'],
      ['https://api.example.com', 'https://api.example.com/'],
      ['https://bücher.example/x', 'https://xn--bcher-kva.example/x'],
    ];
    for (const [input, expected] of cases) expect(normalizeHtu(input), input).toBe(expected);
  });

  it('refuses what is not an absolute http(s) URL without credentials', () => {
    for (const input of [
      undefined,
      42,
      '',
      '/v1/search',
      'ftp://api.example.com/x',
      'https://user:pw@api.example.com/x',
      `https://a.example/${'x'.repeat(5000)}`,
    ]) {
      expect(normalizeHtu(input), String(input)).toBeUndefined();
    }
  });
});

describe('forwardedOrigin (RFC 7239, X-Forwarded-*)', () => {
  const url = 'http://10.0.0.5:3000/v1/search';

  it('reads the last element: the one our trusted proxy appended', () => {
    expect(forwardedOrigin({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' }, url)).toBe(
      'https://api.example.com',
    );
    expect(
      forwardedOrigin(
        { 'x-forwarded-proto': 'http, https', 'x-forwarded-host': ['evil.example', 'api.example.com'] },
        url,
      ),
    ).toBe('https://api.example.com');
    expect(
      forwardedOrigin(
        { forwarded: 'for=1.2.3.4;host=evil.example, for=5.6.7.8;proto=https;host="api.example.com:8443"' },
        url,
      ),
    ).toBe('https://api.example.com:8443');
  });

  it('Forwarded wins over X-Forwarded-*; missing parts come from the request URL', () => {
    expect(forwardedOrigin({ forwarded: 'proto=https', 'x-forwarded-host': 'ignored.example' }, url)).toBe(
      'https://10.0.0.5:3000',
    );
    expect(forwardedOrigin({ 'x-forwarded-host': 'api.example.com' }, url)).toBe('http://api.example.com');
  });

  it('gives nothing for absent or unusable values', () => {
    expect(forwardedOrigin({}, url)).toBeUndefined();
    expect(forwardedOrigin({ 'x-forwarded-proto': 'gopher' }, url)).toBeUndefined();
    expect(forwardedOrigin({ 'x-forwarded-host': 'bad host/x' }, url)).toBeUndefined();
  });
});

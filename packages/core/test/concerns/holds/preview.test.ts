/**
 * `holdPreview`: what an approver sees of a held body — decoded, redacted, cut — and what it refuses to show.
 */
import { describe, expect, it } from 'vitest';
import { holdPreview, REDACTED_FIELDS, type PreviewSettings } from '../../../src/concerns/holds/preview.js';

const settings = (extra: Partial<PreviewSettings> = {}): PreviewSettings => ({
  maxBytes: 4096,
  names: new Set(REDACTED_FIELDS),
  transform: undefined,
  ...extra,
});
const bytes = (text: string) => Buffer.from(text);

describe('holdPreview', () => {
  it('pretty-prints JSON with sensitive members redacted at any depth', () => {
    const body = JSON.stringify({
      title: 'Q3',
      Password: 'hunter2',
      author: { api_key: 'k-1', name: 'Ann' },
      tags: [{ token: 't' }],
    });
    const preview = holdPreview(bytes(body), 'application/json; charset=utf-8', settings(), []);
    expect(preview).toMatchObject({
      contentType: 'application/json',
      bytes: Buffer.byteLength(body),
      truncated: false,
    });
    expect(JSON.parse(preview.text as string)).toEqual({
      title: 'Q3',
      Password: '[redacted]',
      author: { api_key: '[redacted]', name: 'Ann' },
      tags: [{ token: '[redacted]' }],
    });
  });

  it('cuts the presented access token and DPoP proof out of any text, wherever they appear', () => {
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const preview = holdPreview(bytes(`note: forwarding ${token} as asked`), 'text/plain', settings(), [token]);
    expect(preview.text).toBe('note: forwarding [access token] as asked');
  });

  it('shows form bodies as name=value lines, named fields redacted, plus the configured names', () => {
    const preview = holdPreview(
      bytes('title=Hello+world&iban=DE00&secret=s'),
      'application/x-www-form-urlencoded',
      settings({ names: new Set([...REDACTED_FIELDS, 'iban']) }),
      [],
    );
    expect(preview.text).toBe('title=Hello world\niban=[redacted]\nsecret=[redacted]');
  });

  it('keeps at most maxBytes of UTF-8 without splitting a character, and says it was cut and how much it hides', () => {
    const preview = holdPreview(bytes('ééééé'), 'text/plain', settings({ maxBytes: 5 }), []);
    expect(preview).toMatchObject({ text: 'éé', truncated: true, bytes: 10, hiddenBytes: 6 });
    expect(preview.hiddenFields).toBeUndefined();
  });

  it('shows one form field per line: line breaks, bidi and zero-width characters, a = in a name escaped', () => {
    const memo = 'a\nto=x\r\u2028\u0085\u202e\u200b\\n';
    const body = new URLSearchParams([
      ['memo', memo],
      ['to=vendor', ''],
      ['amount', '10'],
    ]).toString();
    const preview = holdPreview(bytes(body), 'application/x-www-form-urlencoded', settings(), []);
    expect(preview.text).toBe('memo=a\\nto=x\\r\\u2028\\u0085\\u202e\\u200b\\\\n\nto\\u003dvendor=\namount=10');
    expect(preview.text?.split('\n')).toHaveLength(3);
  });

  it('escapes invisible characters in JSON and text previews too, keeping their own lines', () => {
    const value = { to: 'a\u2028b\u202ec', n: '\u0085' };
    const json = holdPreview(bytes(JSON.stringify(value)), 'application/json', settings(), []);
    expect(json.text).toBe('{\n  "to": "a\\u2028b\\u202ec",\n  "n": "\\u0085"\n}');
    expect(JSON.parse(json.text as string)).toEqual(value);
    const text = holdPreview(bytes('line 1\r\nline\t2\u2029\u0007'), 'text/plain', settings(), []);
    expect(text.text).toBe('line 1\r\nline\t2\\u2029\\u0007');
  });

  it('names every form field past the cut, the one it cuts through first, each distinct name once', () => {
    const body = `memo=hello&pad=${'x'.repeat(50)}&to=attacker&${'a=1&'.repeat(100)}to=again`;
    const preview = holdPreview(bytes(body), 'application/x-www-form-urlencoded', settings({ maxBytes: 20 }), []);
    expect(preview.text).toBe('memo=hello\npad=xxxxx');
    expect(preview.hiddenFields).toEqual({ count: 103, distinct: 3, names: ['pad', 'to', 'a'], partial: true });
    const form = 'application/x-www-form-urlencoded';
    const atLine = holdPreview(bytes('memo=hello&to=x'), form, settings({ maxBytes: 10 }), []);
    const hiddenFields = { count: 1, names: ['to'], partial: false };
    expect(atLine).toMatchObject({ text: 'memo=hello', hiddenBytes: 5, hiddenFields });
    const long = holdPreview(bytes(`a=1&${'😀'.repeat(500)}=x`), form, settings({ maxBytes: 3 }), []);
    expect(long.hiddenFields?.names).toEqual([`${'😀'.repeat(64)}…`]);
  });

  it('fails closed: shows no text for what it cannot redact with certainty', () => {
    expect(holdPreview(bytes('{"password": "x"'), 'application/json', settings(), []).omitted).toBe('unparsable');
    expect(holdPreview(Buffer.from([0xff, 0xfe, 0x00]), 'text/plain', settings(), []).omitted).toBe('not_utf8');
    expect(holdPreview(bytes('GIF89a'), 'image/gif', settings(), []).omitted).toBe('binary');
    expect(holdPreview(undefined, 'application/json', settings(), []).omitted).toBe('unavailable');
    const throwing = settings({
      transform: () => {
        throw new Error('no');
      },
    });
    expect(holdPreview(bytes('x'), 'text/plain', throwing, []).omitted).toBe('redact_failed');
  });

  it('applies a redact function after the built-in redaction', () => {
    const preview = holdPreview(
      bytes('{"card":"4111 1111 1111 1111","password":"p"}'),
      'application/json',
      settings({ transform: (text) => text.replace(/\d{4} \d{4} \d{4} (\d{4})/, '**** $1') }),
      [],
    );
    expect(JSON.parse(preview.text as string)).toEqual({ card: '**** 1111', password: '[redacted]' });
  });
});

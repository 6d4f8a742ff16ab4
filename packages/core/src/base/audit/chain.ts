import { createHash } from 'node:crypto';

/**
 * Where an audit chain stands: the `seq` and `hash` of its last line (or of its genesis, seq 0).
 * Keep a recent head somewhere the log's writer cannot rewrite (a log shipper, a ticket, a WORM
 * bucket): `aap-guard-audit verify --anchor SEQ:HASH` then also detects lines cut from the end.
 */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * The `prev` of a chain's first line: base64url SHA-256 of the empty string.
 *
 * @example
 * AUDIT_GENESIS // '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU'
 */
export const AUDIT_GENESIS = createHash('sha256').update('').digest('base64url');

/** The head before the first line of a new chain. */
export const GENESIS_HEAD: ChainHead = Object.freeze({ seq: 0, hash: AUDIT_GENESIS });

const HASH_MEMBER = ',"hash":"';
/** `,"hash":"` + 43 base64url characters (a SHA-256) + `"}`. */
const SUFFIX_LENGTH = HASH_MEMBER.length + 43 + 2;
const BASE64URL_SHA256 = /^[\w-]{43}$/;

/**
 * One line of a hash-chained audit log, and the head it leaves. The line format (the "canonical
 * serialization" is the line's own bytes; nothing is ever re-serialized to be checked):
 *
 * - `body` = `JSON.stringify({ seq, prev, ...event })` — `seq` counts lines from 1, `prev` is the
 *   previous line's `hash` (`AUDIT_GENESIS` for the first line);
 * - `hash` = base64url SHA-256 of the UTF-8 bytes of `body`;
 * - the line is `body` with `,"hash":"<hash>"` inserted before its final `}`, then `\n`.
 *
 * A verifier strips the fixed-length `,"hash":"…"` suffix, re-hashes exactly the bytes written, and
 * compares: any change to a line — a value, a space, the order of members — breaks its own hash; a
 * removed, inserted or moved line breaks the next line's `prev`.
 *
 * @example
 * const { line, head } = chainLine(event, GENESIS_HEAD);
 * // {"seq":1,"prev":"47DEQ…","time":"…",…,"hash":"Xk2…"}\n
 */
export function chainLine(event: object, after: ChainHead): { readonly line: string; readonly head: ChainHead } {
  const { seq: _seq, prev: _prev, hash: _hash, ...fields } = event as Record<string, unknown>;
  const seq = after.seq + 1;
  const body = JSON.stringify({ seq, prev: after.hash, ...fields });
  const hash = createHash('sha256').update(body, 'utf8').digest('base64url');
  return { line: `${body.slice(0, -1)}${HASH_MEMBER}${hash}"}\n`, head: { seq, hash } };
}

/** A line read back: its chain members, or what is wrong with it. */
export type ChainRecord =
  | { readonly ok: true; readonly seq: number; readonly prev: string; readonly hash: string }
  | { readonly ok: false; readonly problem: string };

/**
 * Check one line's own integrity (its bytes, without the `\n`) and read its `seq`, `prev` and `hash`.
 * Whether it follows the line before is the caller's business (`verifyAuditLog`).
 *
 * @example
 * const record = readChainLine(Buffer.from(line.trimEnd()));
 * if (!record.ok) console.error(record.problem);
 */
export function readChainLine(line: Uint8Array): ChainRecord {
  if (line.length === 0) return { ok: false, problem: 'empty line' };
  const bytes = Buffer.from(line.buffer, line.byteOffset, line.byteLength);
  const at = bytes.length - SUFFIX_LENGTH;
  const hash = at > 0 ? bytes.toString('latin1', at + HASH_MEMBER.length, bytes.length - 2) : '';
  if (
    at <= 0 ||
    bytes.toString('latin1', at, at + HASH_MEMBER.length) !== HASH_MEMBER ||
    bytes.toString('latin1', bytes.length - 2) !== '"}' ||
    !BASE64URL_SHA256.test(hash)
  ) {
    return { ok: false, problem: 'not an audit chain record (no trailing "hash" member)' };
  }
  const actual = createHash('sha256').update(bytes.subarray(0, at)).update('}').digest('base64url');
  if (actual !== hash) return { ok: false, problem: 'altered: its content no longer matches its hash' };
  let parsed: { seq?: unknown; prev?: unknown } | null;
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
  } catch {
    return { ok: false, problem: 'not valid JSON' };
  }
  const { seq, prev } = parsed ?? {};
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1 || typeof prev !== 'string') {
    return { ok: false, problem: 'no valid "seq" and "prev" members' };
  }
  return { ok: true, seq, prev, hash };
}

import type { FileHandle } from 'node:fs/promises';
import { readChainLine, type ChainHead } from './chain.js';

const CHUNK = 64 * 1024;
/** Longer than any audit event: a "line" beyond this is not one of ours. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/**
 * Where an existing audit log file ends: its size and the head of its last line (`undefined` for an
 * empty file), so that a restarted process continues the same chain. Reads only the tail, never the
 * whole file (run `aap-guard-audit verify` for that). Throws when the file does not end with a
 * complete, intact record — appending to it would hide the damage under a chain that looks valid.
 */
export async function readLogTail(
  handle: FileHandle,
  name: string,
): Promise<{ readonly size: number; readonly last: ChainHead | undefined }> {
  const { size } = await handle.stat();
  if (size === 0) return { size, last: undefined };
  const line = await lastLine(handle, size, name);
  const record = readChainLine(line);
  if (!record.ok)
    throw new Error(
      `cannot continue the audit chain of ${name}: its last line is ${record.problem}; check it with \`aap-guard-audit verify\``,
    );
  return { size, last: { seq: record.seq, hash: record.hash } };
}

/** The bytes of the last line (without its `\n`), read backwards in chunks. */
async function lastLine(handle: FileHandle, size: number, name: string): Promise<Buffer> {
  const end = size - 1; // the final `\n`
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, end);
  if (last[0] !== 0x0a)
    throw new Error(
      `cannot continue the audit chain of ${name}: it ends with an incomplete line (a write cut short?); check it with \`aap-guard-audit verify\``,
    );
  const chunks: Buffer[] = [];
  let position = end;
  while (position > 0 && end - position < MAX_LINE_BYTES) {
    const length = Math.min(CHUNK, position);
    const chunk = Buffer.alloc(length);
    await handle.read(chunk, 0, length, position - length);
    position -= length;
    const newline = chunk.lastIndexOf(0x0a);
    if (newline >= 0) {
      chunks.unshift(chunk.subarray(newline + 1));
      return Buffer.concat(chunks);
    }
    chunks.unshift(chunk);
  }
  if (position > 0)
    throw new Error(`cannot continue the audit chain of ${name}: its last line is longer than ${MAX_LINE_BYTES} bytes`);
  return Buffer.concat(chunks);
}

import { open, type FileHandle } from 'node:fs/promises';
import { GENESIS_HEAD, type ChainHead } from './chain.js';
import { readLogTail } from './log-tail.js';

/** Where a chained audit log's lines go. One batch at a time: the log never calls `write` concurrently. */
export interface LogTarget {
  /** The head to chain the next line to — re-established from the file after a failure. */
  head(): Promise<ChainHead>;
  /** Write whole lines that end at `next`; throws on failure, leaving no partial line behind when it can. */
  write(data: Buffer, next: ChainHead): Promise<void>;
  close(): Promise<void>;
}

/** Something lines can be written to: a `fs.WriteStream`, a socket, `process.stdout`… */
export interface LogStream {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): unknown;
  on?(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Append to a file (created if absent, mode 0600), continuing the chain of its last line. A failed
 * write is rolled back (the file truncated to its last complete line) so that the next batch chains
 * cleanly; if even that fails, the file is reopened and its tail re-read. One writer per file: the
 * head is re-read from the file only at open and after a failed rollback, never during a write.
 */
export function fileTarget(
  path: string,
  settings: { readonly fsync: boolean; readonly continueFrom: ChainHead | undefined },
): LogTarget {
  return new FileTarget(path, settings.fsync, settings.continueFrom);
}

class FileTarget implements LogTarget {
  #handle: FileHandle | undefined;
  /** Bytes in the file up to its last complete line (the rollback point). */
  #size = 0;
  /** The head of that line; `undefined` until the file is (re)opened. */
  #current: ChainHead | undefined;
  #opening: Promise<ChainHead> | undefined;

  constructor(
    private readonly path: string,
    private readonly fsync: boolean,
    private readonly continueFrom: ChainHead | undefined,
  ) {}

  head(): Promise<ChainHead> {
    if (this.#current) return Promise.resolve(this.#current);
    this.#opening ??= this.#establish().finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  async write(data: Buffer, next: ChainHead): Promise<void> {
    const file = this.#handle;
    if (!file || !this.#current) throw new Error('the audit log file is not open');
    try {
      for (let offset = 0; offset < data.length;)
        offset += (await file.write(data, offset, data.length - offset)).bytesWritten;
      if (this.fsync) await file.datasync();
    } catch (error) {
      await this.#rollBack(file);
      throw error;
    }
    this.#size += data.length;
    this.#current = next;
  }

  async close(): Promise<void> {
    const file = this.#handle;
    this.#handle = undefined;
    this.#current = undefined;
    await file?.close();
  }

  async #establish(): Promise<ChainHead> {
    this.#handle ??= await open(this.path, 'a+', 0o600);
    const tail = await readLogTail(this.#handle, this.path);
    this.#size = tail.size;
    this.#current = tail.last ?? this.continueFrom ?? GENESIS_HEAD;
    return this.#current;
  }

  /**
   * Back to the last complete line, which `#current` still describes. If even that fails, forget the
   * handle and the head: the next batch reopens the file and reads where it really ends.
   */
  async #rollBack(file: FileHandle): Promise<void> {
    try {
      await file.truncate(this.#size);
    } catch {
      this.#handle = undefined;
      this.#current = undefined;
      await file.close().catch(() => undefined);
    }
  }
}

/**
 * Write to a stream the application owns (never ended or closed here). The chain starts at
 * `continueFrom`, else at the genesis. Each batch waits for the stream's write callback — the
 * stream's own backpressure; a stream that failed once refuses every later line (its error is the cause).
 */
export function streamTarget(stream: LogStream, continueFrom: ChainHead | undefined): LogTarget {
  let current = continueFrom ?? GENESIS_HEAD;
  let failure: Error | undefined;
  stream.on?.('error', (error) => (failure ??= error)); // also keeps an unobserved stream error from crashing the process
  const failed = () =>
    new Error('the audit stream failed earlier; no further lines can be chained to it', { cause: failure });
  return {
    head: () => (failure ? Promise.reject(failed()) : Promise.resolve(current)),
    write: (data, next) =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failed());
        try {
          stream.write(data, (error) => {
            if (error) return reject((failure ??= error));
            current = next;
            resolve();
          });
        } catch (error) {
          reject((failure ??= error instanceof Error ? error : new Error(String(error))));
        }
      }),
    close: () => Promise.resolve(),
  };
}

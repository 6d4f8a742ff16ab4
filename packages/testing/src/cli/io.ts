/** Where a command of the `aap-guard` CLI reads and writes: the process's, or a test's. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** The directory `.aap-dev/` is relative to. */
  readonly cwd: string;
  /** Ends a long-running command (`dev-issuer`): SIGINT or SIGTERM in the bin. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * `npm run demo` end to end: the example authorization server issues every token, the Express example
 * decides, and the demo exits 0 only when every row is decided as its table expects.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const demo = fileURLToPath(new URL('../../examples/demo.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../packages/express/dist/index.js', import.meta.url)));

describe('npm run demo', () => {
  it.skipIf(!built)('obtains its tokens from the example authorization server and decides every row as expected', async () => {
    const { stdout } = await run(process.execPath, [demo], { timeout: 60_000 });
    expect(stdout).toMatch(/authorization server \(oidc-provider\) at http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/task revoked at the AS: the tool is refused\s+GET \/v1\/search\s+delegated\s+401\s+token_revoked/);
    expect(stdout).toMatch(/^(\d+) of \1 requests decided as expected\.$/m);
  }, 90_000);
});

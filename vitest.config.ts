import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources; the build is checked separately by `pnpm build`.
export default defineConfig({
  resolve: {
    alias: {
      '@aap-guard/core/node': fileURLToPath(new URL('./packages/core/src/node/index.ts', import.meta.url)),
      // Subpaths before their package: an alias also matches `<name>/…`.
      '@aap-guard/core/opentelemetry': fileURLToPath(new URL('./packages/core/src/opentelemetry.ts', import.meta.url)),
      '@aap-guard/core/mcp': fileURLToPath(new URL('./packages/core/src/mcp/index.ts', import.meta.url)),
      '@aap-guard/core': src('core'),
      '@aap-guard/redis': src('redis'),
      '@aap-guard/express': src('express'),
      '@aap-guard/fastify': src('fastify'),
      '@aap-guard/koa': src('koa'),
      '@aap-guard/testing': src('testing'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

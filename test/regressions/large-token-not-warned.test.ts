/**
 * Regression: tokens over 4 KB went by without a word. The draft (§5.3, "Token Size Considerations") says
 * implementations SHOULD warn when a serialized token exceeds 4KB (headers are often capped at 8 KB, and
 * `capabilities_ref` or introspection keep tokens small). Now one `token.large` warning per issuer, the
 * first time one of its tokens over 4 KB is verified — never the token itself.
 */
import { createGuard, type Logger } from '@aap-guard/core';
import { createIssuer } from '@aap-guard/testing';
import { describe, expect, it } from 'vitest';

describe('tokens over 4 KB (§5.3)', () => {
  it('are admitted, with one warning per issuer naming the size, never the token', async () => {
    const lines: { level: string; object: Record<string, unknown>; message?: string | undefined }[] = [];
    const at = (level: string) => (object: Readonly<Record<string, unknown>>, message?: string) =>
      void lines.push({ level, object: { ...object }, message });
    const logger: Logger = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
    const as = await createIssuer();
    const guard = createGuard({
      issuer: as.issuer,
      audience: as.audience,
      jwks: as.jwks,
      logger,
      audit: () => undefined,
    });
    const capabilities = [
      { action: 'search.web' },
      ...Array.from({ length: 60 }, (_, i) => ({
        action: `tool.action_${i}`,
        constraints: { domains_allowed: [`host-${i}.example.org`] },
      })),
    ];
    const large = [await as.mint({ capabilities }), await as.mint({ capabilities })];
    const small = await as.mint();
    expect(large[0]!.length).toBeGreaterThan(4096);
    for (const token of [small, ...large]) {
      const decision = await guard.check(
        { method: 'GET', url: 'https://api.example.com/x', headers: { authorization: `Bearer ${token}` } },
        { action: 'search.web' },
      );
      expect(decision.allowed).toBe(true);
    }
    const warnings = lines.filter((line) => line.object.event === 'token.large');
    expect(warnings).toEqual([
      {
        level: 'warn',
        object: { event: 'token.large', issuer: as.issuer, bytes: large[0]!.length, limit: 4096 },
        message: expect.stringContaining('exceed 4 KB'),
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain(large[0]!.split('.')[1]!.slice(0, 40));
    await guard.close();
  });
});

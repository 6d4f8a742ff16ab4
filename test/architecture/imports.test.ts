import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// scripts/check-imports.mjs: the layers and folders of packages/core/src (docs/ARCHITECTURE.md), read as files
// and as folders: no import circle, no upward import.
const script = fileURLToPath(new URL('../../scripts/check-imports.mjs', import.meta.url));
const run = (root?: string) => {
  const result = spawnSync(process.execPath, root ? [script, root] : [script], { encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
};

describe('scripts/check-imports.mjs', () => {
  it('finds no circle and no upward import in packages/core/src', { timeout: 60_000 }, () => {
    const { code, output } = run();
    expect(output).toMatch(/no circle, no upward import/);
    expect(code).toBe(0);
  });

  describe('on a tree with circles, upward imports and misplaced files', () => {
    const root = mkdtempSync(join(tmpdir(), 'check-imports-'));
    const files: Record<string, string> = {
      // base/ is the bottom layer: a type-only import of a check is upward.
      'base/util/helper.ts':
        "import type { Step } from '../../checks/step.js';\nexport const helper = (step: Step) => step;\n",
      'checks/step.ts': 'export type Step = () => void;\n',
      // A circle through a re-export and an `import('…')` type.
      'concerns/token/keys.ts': "export { source } from './source.js';\nexport const keys = 1;\n",
      'concerns/token/source.ts':
        "export const source = (k: import('./keys.js').Keys) => k;\nexport type Keys = number;\n",
      // A circle through a dynamic import and `import type`.
      'base/claims/model.ts': "export const load = () => import('./schema.js');\n",
      'base/claims/schema.ts': "import type { load } from './model.js';\nexport type Loader = typeof load;\n",
      'base/claims/fine.ts': "import { helper } from '../util/helper.js';\nexport const fine = helper;\n",
      // Read as folders: deny is listed before claims in base, so deny importing claims is upward, and with
      // claims importing deny the two folders import each other — a circle of folders, not of files.
      'base/deny/deny.ts': "import type { Claim } from '../claims/claim.js';\nexport type Deny = Claim;\n",
      'base/claims/claim.ts': "import type { Reason } from '../deny/reason.js';\nexport type Claim = Reason;\n",
      'base/deny/reason.ts': 'export type Reason = string;\n',
      // Nothing in a layer imports an entry; a folder LAYERS does not list is in no layer.
      'guard/guard.ts': "import type { Entry } from '../index.js';\nexport type Guard = Entry;\n",
      'index.ts': "export type Entry = string;\nexport { fine } from './base/claims/fine.js';\n",
      'base/misc/thing.ts': 'export const thing = 1;\n',
      'extras/thing.ts': 'export const thing = 1;\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    const { code, output } = run(root);

    it('exits 1', () => expect(code).toBe(1));
    it('names each circle', () => {
      expect(output).toContain('circle (2 files): concerns/token/keys.ts, concerns/token/source.ts');
      expect(output).toContain('circle (2 files): base/claims/model.ts, base/claims/schema.ts');
    });
    it('names the upward import, type-only included', () => {
      expect(output).toContain('upward import: base/util/helper.ts (base) → checks/step.ts (checks)');
      expect(output).not.toContain('base/claims/fine.ts (base)');
    });
    it('reads the imports as folders: a circle of folders, and an import of a folder listed later in its layer', () => {
      expect(output).toContain('circle of folders (2): base/claims, base/deny');
      expect(output).toContain(
        'upward import: base/deny/deny.ts (base/deny) → base/claims/claim.ts (base/claims, listed after it in LAYERS)',
      );
      expect(output).not.toContain('base/claims/claim.ts (base/claims) →');
    });
    it('names an import of an entry, and files and folders LAYERS does not place', () => {
      expect(output).toContain(
        'upward import: guard/guard.ts → index.ts (an entry: nothing inside a layer imports one)',
      );
      expect(output).toMatch(/file in no layer: base\/misc\/thing\.ts: base\/misc\/ is not one of base's folders/);
      expect(output).toContain('folder that is no layer: extras/');
      expect(output).toContain('layer without a folder: surfaces');
    });
  });
});

// Lint: the recommended rules of ESLint and typescript-eslint (without type information, so it stays fast),
// and lines ≤ 120 characters where prettier cannot wrap them (comments). Prettier formats everything else.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', 'packs/**', '**/*.generated.ts', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', URLSearchParams: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        setImmediate: 'readonly', clearImmediate: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly',
        TextEncoder: 'readonly', TextDecoder: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly',
        fetch: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly', crypto: 'readonly',
        performance: 'readonly', globalThis: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable',
        document: 'readonly', window: 'readonly', location: 'readonly', navigator: 'readonly', FormData: 'readonly',
        Blob: 'readonly', ReadableStream: 'readonly', WritableStream: 'readonly', DOMException: 'readonly',
        EventTarget: 'readonly', Event: 'readonly', btoa: 'readonly', atob: 'readonly', WeakRef: 'readonly',
      },
    },
    rules: {
      'max-len': ['error', { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);

import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'test/bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // better-sqlite3 12 aborts on Node 24+ and 13 segfaults on Node 20: open SQLite through
    // sqlite-driver.ts (tests: openSqlite from test/support/stored.ts), which picks per Node.
    files: ['**/*.ts'],
    ignores: ['server/src/extensions/persistence/sqlite-driver.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: ['better-sqlite3', 'better-sqlite3-node20'].map((name) => ({
          name,
          allowTypeImports: true,
          message: 'open SQLite with openSqlite() from server/src/extensions/persistence/sqlite-driver.ts (tests: test/support/stored.ts): it loads the better-sqlite3 that runs on this Node.',
        })),
      }],
    },
  },
  {
    // CommonJS scripts (the classic y-websocket benchmark peer is CommonJS only).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
);

// eslint (flat config), run from the repository's root by `npm run lint`
// and ctest (web_lint): the page (web/src, browser), its build script and
// tests (node), the browser tests (tests/web) and the page benchmark
// (bench/web_render.mjs).
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['**/node_modules/', 'web/dist/', 'build*/'] },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
      'no-shadow': 'error',
    },
  },
  { files: ['web/src/**/*.js'], languageOptions: { globals: globals.browser } },
  {
    files: ['web/*.js', 'web/*.mjs', 'web/test/**/*.js', 'tests/web/**/*.mjs', 'bench/**/*.mjs'],
    languageOptions: { globals: globals.node },
    rules: { 'no-console': 'off' },
  },
  // functions passed to page.evaluate run in the page
  { files: ['tests/web/**/*.mjs', 'bench/**/*.mjs'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
];

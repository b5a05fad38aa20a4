// One linter config for the whole tree. Floating promises are errors: an unawaited
// write is how a partial import or a lost audit entry happens.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import tessera from './scripts/eslint/domain-boundaries.js';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'test-output/**', 'bench/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Declaration merging (Schema, PermissionRegistry, AuditOperationRegistry) extends one type.
      '@typescript-eslint/no-empty-object-type': [
        'error',
        { allowInterfaces: 'with-single-extends' },
      ],
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    plugins: { tessera },
    rules: { 'tessera/domain-boundaries': ['error', { root: import.meta.dirname }] },
  },
  {
    files: ['web/**/*.js'],
    languageOptions: {
      globals: {
        document: 'readonly',
        sessionStorage: 'readonly',
        fetch: 'readonly',
        FormData: 'readonly',
        URLSearchParams: 'readonly',
        window: 'readonly',
        localStorage: 'readonly',
        createImageBitmap: 'readonly',
      },
    },
  },
  {
    // The service worker's template: the build fills in the two placeholders.
    files: ['web/sw-template.js'],
    languageOptions: {
      globals: {
        self: 'readonly',
        caches: 'readonly',
        fetch: 'readonly',
        Response: 'readonly',
        __VERSION__: 'readonly',
        __PRECACHE__: 'readonly',
      },
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);

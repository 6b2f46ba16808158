// ESLint for the whole workspace: typescript-eslint (type-aware), sorted imports, Prettier, and
// Nx module boundaries that mean something — see docs/architecture.md, "Boundaries".
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

const serverOnly = ['@nestjs/*', '@prisma/*', 'onnxruntime-node', 'kafkajs', 'ioredis', 'pg', 'bull', '@tensorflow/*'];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/.next/**', 'libs/db/src/generated/**', 'tmp/**', '**/*.js', '**/*.mjs', '**/*.cjs', 'apps/web/next-env.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx, 'simple-import-sort': simpleImportSort },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'simple-import-sort/imports': ['error', { groups: [['^node:'], ['^@?\\w'], ['^@atelier/'], ['^\\.']] }],
      'simple-import-sort/exports': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // what kind of project may use what
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:shared'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:shared'] },
            { sourceTag: 'type:shared', onlyDependOnLibsWithTags: ['type:shared'] },
            // the web UI sees contracts and the SDK only, and no server-side package
            { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:client'], bannedExternalImports: serverOnly },
            // contracts and the SDK run in browsers too
            { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:client'], bannedExternalImports: serverOnly },
            // ml is pure: no Nest, no database, no network
            {
              sourceTag: 'scope:ml',
              onlyDependOnLibsWithTags: ['scope:ml'],
              bannedExternalImports: ['@nestjs/*', '@prisma/*', 'pg', 'ioredis', 'kafkajs', 'bull', 'node:http', 'node:https', 'node:net', 'http', 'https', 'net'],
            },
          ],
        },
      ],
    },
  },
  {
    // the CLI is a client of the platform: it reaches it through the SDK only (its specs start a platform to run against)
    files: ['apps/cli/src/**/*.ts'],
    ignores: ['apps/cli/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: [...serverOnly, '@atelier/*', '!@atelier/sdk'], message: 'the CLI reaches the platform through @atelier/sdk only' }] },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'tools/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  prettier,
);

import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.local/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@mash/*/*'], message: 'Import a library only through its root (@mash/<lib>).' },
            { group: ['**/libs/*', '../../libs/**', '../../../libs/**'], message: 'Use the @mash/<lib> alias.' },
          ],
        },
      ],
    },
  },
  {
    // Only repositories touch TypeORM (docs/architecture.md): services, handlers, jobs and
    // controllers take repositories and `Transactions`. Repeats the patterns above, since a
    // later block's options replace an earlier one's.
    files: ['apps/broker/src/**/*.ts'],
    ignores: [
      'apps/broker/src/**/*.repository.ts',
      'apps/broker/src/**/*.repository.spec.ts',
      'apps/broker/src/**/*.entity.ts',
      'apps/broker/src/migrations/**',
      'apps/broker/src/data-source.ts',
      'apps/broker/src/broker-core.module.ts',
      'apps/broker/src/**/*.providers.ts',
      'apps/broker/src/common/transactions.ts',
      // Builds entities for repositories from their raw rows.
      'apps/broker/src/common/entity-rows.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'typeorm', message: 'Only repositories touch TypeORM: add a repository method (and use Transactions for a transaction).' },
            { name: '@nestjs/typeorm', message: 'Only repositories touch TypeORM: add a repository method (and use Transactions for a transaction).' },
          ],
          patterns: [
            { group: ['@mash/*/*'], message: 'Import a library only through its root (@mash/<lib>).' },
            { group: ['**/libs/*', '../../libs/**', '../../../libs/**'], message: 'Use the @mash/<lib> alias.' },
            { group: ['typeorm/*'], message: 'Only repositories touch TypeORM.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='only']", message: 'No focused tests.' }] },
  },
);

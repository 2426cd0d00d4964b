import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const EXPRESS = { name: 'express', message: 'Only src/http/ and src/app.ts know Express.' };

export default tseslint.config(
  { ignores: ['node_modules/', 'generated/', 'sdk/src/generated/', 'sdk/dist/', 'data/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  // http/ is the edge: only it and app.ts know Express; the domain does not know http/, only handlers (and the
  // WebSocket upgrade, an edge of its own) adapt to it.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/http/**', 'src/app.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [EXPRESS] }] },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/http/**', 'src/app.ts', 'src/spec.ts', '**/handlers.ts', '**/handlers/**', 'src/stream/websocket.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [EXPRESS], patterns: [{ group: ['**/http/*'], message: 'Only handlers import from src/http/.' }] },
      ],
    },
  },
  {
    files: ['bench/**', 'scripts/**', 'src/cli.ts', 'src/cli/**'],
    rules: { 'no-console': 'off' },
  },
);

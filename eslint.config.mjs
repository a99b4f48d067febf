// Lint guard (run by scripts/test.sh before jest, and by `npm run lint`): floating promises anywhere in src/,
// and no Node built-ins in workflow code, which Temporal bundles into a deterministic sandbox without them.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...new Set(builtinModules.map((m) => m.replace(/^node:/, '')))];

export default tseslint.config(
  { ignores: ['build/**', 'node_modules/**', '.venv/**', '.cache/**', '.local/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // Workflow code and what it imports at run time: src/workflows and the pipeline catalog.
    files: ['src/workflows/**/*.ts', 'src/pipelines/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not available in the workflow sandbox; do this in an activity.' })),
          patterns: [{ group: ['node:*'], message: 'Node built-ins are not available in the workflow sandbox; do this in an activity.' }],
        },
      ],
    },
  },
);

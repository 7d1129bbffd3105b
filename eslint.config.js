// Lint: typescript-eslint's type-aware rules plus the import boundaries of design §7.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const NODE_IO = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'os', 'worker_threads', 'cluster'];
const ioModules = NODE_IO.flatMap((name) => [name, `node:${name}`]);

const noChildProcess = { paths: [
  { name: 'node:child_process', message: 'Only src/exec spawns processes (design §7).' },
  { name: 'child_process', message: 'Only src/exec spawns processes (design §7).' },
] };
const noElectron = { name: 'electron', message: 'electron is imported only in src/main and src/preload, and injected elsewhere (design §7, §8).' };

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'coverage/**', 'renderer/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      'no-restricted-imports': ['error', { ...noChildProcess, paths: [...noChildProcess.paths, noElectron] }],
    },
  },
  {
    files: ['src/exec/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
  },
  {
    files: ['src/main/**', 'src/preload/**'],
    rules: { 'no-restricted-imports': ['error', noChildProcess] },
  },
  {
    // Pure code: parsers, the policy evaluator and token verification do no I/O at all.
    files: ['src/collectors/**/parse*.ts', 'src/policy/**', 'src/attest/verify*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...ioModules.map((name) => ({ name, message: 'Parsers, policy and verification are pure: no I/O (design §7).' })), noElectron],
      }],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Pure code does no I/O.' }, { name: 'process', message: 'Pure code reads no environment.' }],
    },
  },
  {
    // Collectors reach the machine only through their Host (design §2).
    files: ['src/collectors/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...ioModules.map((name) => ({ name, message: 'Collectors do I/O only through their Host (design §2).' })), noElectron],
        patterns: [{ group: ['**/exec/run-command*', '**/exec/real-host*'], message: 'Collectors get a Host; they never spawn.' }],
      }],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Collectors do I/O only through their Host.' }],
    },
  },
  {
    // Build and tooling scripts are plain JavaScript run by Node: no type information to check.
    files: ['scripts/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly' } },
  },
  {
    files: ['test/**', '*.config.*', 'scripts/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
      'no-restricted-imports': 'off',
    },
  },
);

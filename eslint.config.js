// Lint, with the layer rules of DEVELOPERS.md enforced as import restrictions:
// cli → api → {config, ops} → {graph, model, engine}; ui renders events.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});
const onlyIn = (pkg, where) => ({ group: [pkg, `${pkg}/*`], message: `${pkg} may only be imported in ${where}` });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'schema/**', 'src/config/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.js', '*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly' } },
  },
  // the launcher is CommonJS (bin/package.json): it must start without Node's ESM loader
  {
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // third-party packages confined to their one layer
  layer(['src/**/*.ts'], [
    onlyIn('dockerode', 'src/engine/dockerode/'),
    onlyIn('commander', 'src/cli/'),
    onlyIn('listr2', 'src/ui/'),
    onlyIn('chalk', 'src/ui/'),
  ]),
  { files: ['src/engine/dockerode/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [onlyIn('commander', 'src/cli/'), onlyIn('listr2', 'src/ui/'), onlyIn('chalk', 'src/ui/'), { group: ['**/ops/*', '**/api/*', '**/cli/*', '**/ui/*', '**/config/*'], message: 'engine depends only on model' }] }] } },
  { files: ['src/cli/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [onlyIn('dockerode', 'src/engine/dockerode/'), onlyIn('listr2', 'src/ui/'), onlyIn('chalk', 'src/ui/'), { group: ['**/engine/dockerode/*'], message: 'cli goes through api' }] }] } },
  { files: ['src/ui/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [onlyIn('dockerode', 'src/engine/dockerode/'), onlyIn('commander', 'src/cli/'), { group: ['**/engine/dockerode/*', '**/cli/*', '**/api/*'], message: 'ui renders events only' }] }] } },
  layer(['src/config/**/*.ts'], [
    onlyIn('dockerode', 'src/engine/dockerode/'), onlyIn('commander', 'src/cli/'), onlyIn('listr2', 'src/ui/'), onlyIn('chalk', 'src/ui/'),
    { group: ['**/engine/*', '**/engine/**', '**/ops/*', '**/api/*', '**/cli/*', '**/ui/*'], message: 'config is a pure pipeline: no Docker, no console' },
  ]),
  layer(['src/model/**/*.ts', 'src/graph/**/*.ts'], [
    onlyIn('dockerode', 'src/engine/dockerode/'), onlyIn('commander', 'src/cli/'), onlyIn('listr2', 'src/ui/'), onlyIn('chalk', 'src/ui/'),
    { group: ['**/engine/*', '**/engine/**', '**/ops/*', '**/api/*', '**/cli/*', '**/ui/*', '**/config/*'], message: 'model and graph are leaves' },
  ]),
  layer(['src/ops/**/*.ts'], [
    onlyIn('dockerode', 'src/engine/dockerode/'), onlyIn('commander', 'src/cli/'), onlyIn('listr2', 'src/ui/'), onlyIn('chalk', 'src/ui/'),
    { group: ['**/engine/dockerode/*', '**/api/*', '**/cli/*', '**/ui/*'], message: 'ops use the Engine interface and emit events' },
  ]),
  { files: ['src/config/**/*.ts'], rules: { 'no-console': 'error' } },
  // ops read the typed canonical model (src/model/types.ts) without type assertions; the few left sit at the
  // engine boundary, each disabled on its line with `-- engine boundary: <why>` (test/unit/ops/no-casts.test.ts)
  { files: ['src/ops/**/*.ts'], rules: { '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }] } },
  // the dashboard is a client of the API, like the CLI; its page (web/) runs in a browser
  layer(['src/dashboard/**/*.ts'], [
    onlyIn('dockerode', 'src/engine/dockerode/'), onlyIn('commander', 'src/cli/'), onlyIn('listr2', 'src/ui/'), onlyIn('chalk', 'src/ui/'),
    { group: ['**/engine/dockerode/*', '**/cli/*', '**/ops/*'], message: 'the dashboard goes through the api' },
  ]),

);

// Lint, including the layering rules of docs/architecture.md: imports only point down.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The UI may name server types (AppRouter, the socket protocol): they vanish at build time.
// The only values it may import are the page-header contract and the socket protocol's limits.
const noServerInBrowser = {
  patterns: [
    { regex: '(^|/)server/(?!api/page-headers\\.ts$|realtime/protocol\\.ts$)', allowTypeImports: true, message: 'app/ never imports server code; import only types (AppRouter, server/realtime/protocol.ts).' },
  ],
};
const noTransportInDomain = {
  patterns: [
    { group: ['**/api/*', '**/realtime/*', '../api', '../realtime'], message: 'Domains never import the transport (api/, realtime/): emit events instead.' },
    { group: ['**/app/*'], message: 'Server code never imports the UI.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', '.next/', 'data/', 'dist/', 'server-dist/', 'public/monaco/', 'server/db/generated/', 'test-results/', 'playwright-report/', 'next-env.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', fetch: 'readonly', window: 'readonly', document: 'readonly', self: 'readonly', performance: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', AbortController: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', navigator: 'readonly', localStorage: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  { files: ['app/**/*.{ts,tsx}'], rules: { '@typescript-eslint/no-restricted-imports': ['error', noServerInBrowser] } },
  {
    files: ['server/**/*.ts'],
    ignores: ['server/api/**', 'server/realtime/**', 'server/main.ts', 'server/http.ts'],
    rules: { 'no-restricted-imports': ['error', noTransportInDomain] },
  },
  { files: ['scripts/**', 'bench/**', 'e2e/**', 'test/**', '**/*.test.ts'], rules: { 'no-console': 'off' } },
);

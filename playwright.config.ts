// End-to-end tests against the production build, on a free port with a fresh data dir.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    }).on('error', reject);
  });
}

// Workers re-read this file: the first evaluation picks the port and data dir, later ones inherit them.
process.env.E2E_PORT ??= String(await freePort());
// The app's model route points at a scripted model server the agent spec starts on this port.
process.env.E2E_MODEL_PORT ??= String(await freePort());
process.env.E2E_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), 'tether-e2e-'));
const baseURL = `http://127.0.0.1:${process.env.E2E_PORT}`;
/** The specs that start the scripted model server on E2E_MODEL_PORT. */
const MODEL_SPECS = /(agent|memory|memory-failover|profiles|share|keyboard-walk)\.spec\.ts/;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: process.env.CI ? 2 : 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // --disable-webgl: xterm.js falls back to its DOM renderer, so tests read the terminal's text.
      args: ['--no-sandbox', '--disable-gpu', '--disable-webgl', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  projects: [
    // The first-visit flow creates the admin every other spec signs in as.
    { name: 'accounts', testMatch: /accounts\.spec\.ts/, use: { ...devices['Desktop Chrome'] } },
    { name: 'app', testIgnore: [/accounts\.spec\.ts/, MODEL_SPECS], dependencies: ['accounts'], use: { ...devices['Desktop Chrome'] } },
    // Specs that script the model server on the one port the app's route points at: one at a time,
    // beside the others (two of them at once failed with EADDRINUSE).
    { name: 'model', testMatch: MODEL_SPECS, workers: 1, dependencies: ['accounts'], use: { ...devices['Desktop Chrome'] } },
  ],
  webServer: {
    command: 'node --import tsx server/main.ts',
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    // SIGTERM, not the default SIGKILL: the server unmounts the workspaces' disk images on the way out.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      NODE_ENV: 'production',
      PORT: process.env.E2E_PORT,
      HOST: '127.0.0.1',
      TETHER_DATA_DIR: process.env.E2E_DATA_DIR,
      TETHER_LOG_LEVEL: 'warn',
      TETHER_MODELS: 'compat:scripted-coder',
      OPENAI_BASE_URL: `http://127.0.0.1:${process.env.E2E_MODEL_PORT}/v1`,
      OPENAI_API_KEY: 'e2e-placeholder-key',
      // A name the egress proxy reaches at the scripted model server (loopback), so a workspace's
      // network traffic in e2e never leaves the machine.
      TETHER_EGRESS_PINNED: `egress-e2e.test:${process.env.E2E_MODEL_PORT}=127.0.0.1:${process.env.E2E_MODEL_PORT}`,
    },
  },
});

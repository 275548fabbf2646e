import path from 'node:path';

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Supply-chain guard: never ship browser source maps (checked again by scripts/check-artifacts.mjs).
  productionBrowserSourceMaps: false,
  poweredByHeader: false,
  reactStrictMode: true,
  // The custom server (server/) is type-checked and linted by `npm test`, not by next build.
  typescript: { ignoreBuildErrors: true },
  experimental: { authInterrupts: true, serverSourceMaps: false, turbopackSourceMaps: false },
  turbopack: {
    rules: {
      // Monaco's workers come from public/monaco/; see the loader for why the package's own go.
      '*.js': {
        condition: { path: /monaco-editor[\\/]esm[\\/]vs[\\/]languages[\\/]features[\\/](typescript|json|css|html)[\\/]workerManager\.js$/ },
        loaders: [path.join(import.meta.dirname, 'scripts/lib/monaco-workers-loader.cjs')],
      },
    },
  },
};

export default nextConfig;

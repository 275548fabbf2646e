/** @type {import('next').NextConfig} */
const nextConfig = {
  // Supply-chain guard: never ship browser source maps (checked again by scripts/check-artifacts.mjs).
  productionBrowserSourceMaps: false,
  poweredByHeader: false,
  reactStrictMode: true,
  // The custom server (server/) is type-checked and linted by `npm test`, not by next build.
  typescript: { ignoreBuildErrors: true },
  experimental: { authInterrupts: true, serverSourceMaps: false, turbopackSourceMaps: false },
};

export default nextConfig;

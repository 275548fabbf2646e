# Tether server image: the Next.js build, the server (run by tsx) and the sandbox tools.
# Build context is an allowlist (.dockerignore); `npm run check:artifacts` verifies it.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node -e "import('./scripts/lib/build-worker.mjs').then((m) => m.buildMonacoWorker(process.cwd()))" \
  && node -e "import('./scripts/lib/build-server.mjs').then((m) => m.buildServer(process.cwd()))" \
  && npx next build \
  && rm -rf .next/cache .next/trace .next/trace-build .next/types .next/diagnostics \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# bubblewrap + util-linux (prlimit, setpriv): the workspace sandbox. git: cloning and checkpoints.
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap util-linux git ripgrep ca-certificates tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 TETHER_DATA_DIR=/data NEXT_TELEMETRY_DISABLED=1 MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072
COPY --from=build /app /app
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["tini", "--"]
CMD ["node", "--max-semi-space-size=4", "server-dist/main.js"]

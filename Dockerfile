# syntax=docker/dockerfile:1
# Build stage: compiles better-sqlite3 (native) and the TypeScript sources.
# scripts/docker-smoke.sh repeats these exact steps outside Docker; keep the two in step.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: no compiler, no dev dependencies, not root.
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    SIDEHOOK_DB=/data/sidehook.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY drizzle ./drizzle
COPY config ./config
COPY console ./console
RUN mkdir -p /data && chown node:node /data \
 && ln -s /app/dist/src/cli/main.js /usr/local/bin/sidehook && chmod +x /app/dist/src/cli/main.js
USER node
VOLUME ["/data"]
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "dist/src/healthcheck.js"]
CMD ["node", "dist/src/main.js"]

# syntax=docker/dockerfile:1
# avisim: a simulated Avi controller in a small, non-root image.
#
#   docker build -t avisim .
#   docker run --rm -p 8080:8080 -p 8443:8443 -e AVISIM_PASSWORD=secret avisim
#
# Behind a TLS-intercepting proxy, hand npm the proxy's CA as a build secret (it never lands
# in a layer); without the secret the build uses the image's own trust store:
#   docker build --secret id=npm_ca,src=/etc/ssl/certs/ca-certificates.crt -t avisim .
# See docs/docker.md.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: compile TypeScript, then keep only the production dependencies ----------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npm_ca,required=false \
    if [ -s /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca npm_config_cafile=/run/secrets/npm_ca; fi; \
    npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY server ./server
COPY bench ./bench
COPY ui ./ui
COPY scripts/build-ui.ts ./scripts/build-ui.ts
RUN npm run build \
 && rm -rf dist/bench \
 && npm prune --omit=dev --no-audit --no-fund --ignore-scripts

# --- runtime: node, the compiled server, production node_modules, spec and seeds ----------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    AVISIM_HOST=0.0.0.0 \
    AVISIM_PORT=8080 \
    AVISIM_HTTPS_PORT=8443
WORKDIR /app
# npm, corepack and yarn are not needed to run the server.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn* \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && mkdir -p /data && chown node:node /data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/server ./dist/server
COPY --from=build /app/dist/ui ./dist/ui
COPY package.json ./
COPY openapi ./openapi
COPY seeds ./seeds
USER node
# The state file lives here when AVISIM_STATE_FILE=/data/state.json (snapshot + .journal).
VOLUME ["/data"]
EXPOSE 8080 8443
# Public endpoint: answers without a session. Checks the HTTP port, else the HTTPS one.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "const e=process.env,h=e.AVISIM_PORT&&e.AVISIM_PORT!=='off',p=h?e.AVISIM_PORT:e.AVISIM_HTTPS_PORT;(h?require('http'):require('https')).get({host:'127.0.0.1',port:p,path:'/api/cluster/status',rejectUnauthorized:false,timeout:2500},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]
# node is PID 1: it gets SIGTERM from `docker stop`, stops accepting, lets requests in flight
# finish and flushes the state file before exiting.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/server/cli.js"]

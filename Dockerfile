FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY console ./console
COPY scripts ./scripts
COPY schemas ./schemas
COPY bin ./bin
COPY docs ./docs
# No keys in the image: mount them (ART50_KEYS_DIR, or the single key variables). Only the public
# demo root certificate is kept, so the gateway recognises and warns about demo keys wherever mounted.
COPY keys.example/ca/root.pem ./keys.example/ca/root.pem
RUN npm ci && npm prune --omit=dev && mkdir -p /app/var /data && chown node:node /app/var /data
USER node
ENV ART50_KEYS_DIR=/keys
EXPOSE 8443
# Liveness (GET /healthz needs no client certificate; the probe runs inside the container, on loopback).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('https').get({host:'127.0.0.1',port:process.env.ART50_PORT||8443,path:'/healthz',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
CMD ["node", "bin/art50.js", "serve"]

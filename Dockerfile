FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY console ./console
COPY scripts ./scripts
COPY schemas ./schemas
COPY bin ./bin
COPY docs ./docs
COPY keys.example ./keys.example
RUN npm ci && npm prune --omit=dev && mkdir -p /app/var /data && chown node:node /app/var /data
USER node
EXPOSE 8443
CMD ["node", "bin/art50.js", "serve"]

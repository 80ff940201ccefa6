# syntax=docker/dockerfile:1
#
# Switchyard: one image for every role (gateway, worker, the embedded stack, the CLI).
#   docker build -t switchyard .
#   docker run --rm -p 8080:8080 switchyard             # `switchyard up`: demo models + worker + gateway
#   docker run --rm switchyard config check /app/config/switchyard.yaml
# GPU workers use Dockerfile.cuda (same stages, a CUDA 12 + cuDNN 9 runtime base).
# docs/operations.md explains the roles, ports and volumes.

# glibc, not musl: onnxruntime-node ships glibc binaries only, so no alpine.
# Not pinned by digest in this file: a digest can only be read from the registry. To pin, append
# it to the tag (docs/operations.md, "Pinning the base images", has the command):
#   --build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:<digest>, or the same in this default.
ARG NODE_IMAGE=node:20-bookworm-slim
# onnxruntime-node's install script: skip (its CPU binaries ship in the npm package) or cuda12.
ARG ONNXRUNTIME_NODE_INSTALL=skip
# The onnxruntime-node binaries the image keeps (bin/napi-v*/<os>/<arch>); linux/arm64 for arm64.
ARG ORT_PLATFORM=linux/x64

# ---- build: the commands CI runs (.ci/run): npm ci, then npm run build (tsc --strict) ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ARG ONNXRUNTIME_NODE_INSTALL
# Set for every install step in the environment, where npm 10 and 11 pass it on unchanged
# (npm warns that the .npmrc key `onnxruntime-node-install` will stop working).
ENV ONNXRUNTIME_NODE_INSTALL=${ONNXRUNTIME_NODE_INSTALL}
# Dependencies first, so a source change does not reinstall them. --ignore-scripts because the
# package's own `prepare` (npm run build) needs the sources, which are copied next.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build

# ---- deps: production dependencies only ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ARG ONNXRUNTIME_NODE_INSTALL
ARG ORT_PLATFORM
ENV ONNXRUNTIME_NODE_INSTALL=${ONNXRUNTIME_NODE_INSTALL}
COPY package.json package-lock.json ./
# The production dependencies with install scripts (package-lock.json: hasInstallScript) run
# them in `npm rebuild`, named so that this package's own `prepare` (tsc) stays out.
# onnxruntime-node's is a no-op under ONNXRUNTIME_NODE_INSTALL=skip; build with
# --build-arg ONNXRUNTIME_NODE_INSTALL=cuda12 to fetch its CUDA provider (or use Dockerfile.cuda).
# onnxruntime-node's npm package carries binaries for every platform it supports (darwin, win32,
# linux x64 and arm64); the image keeps ORT_PLATFORM's and checks its binding is still there.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm rebuild onnxruntime-node protobufjs \
 && npm cache clean --force \
 && find node_modules/onnxruntime-node/bin -mindepth 3 -maxdepth 3 -type d ! -path "*/napi-v*/${ORT_PLATFORM}" -exec rm -rf {} + \
 && find node_modules/onnxruntime-node/bin -mindepth 2 -maxdepth 2 -type d -empty -delete \
 && ls node_modules/onnxruntime-node/bin/napi-v*/${ORT_PLATFORM}/onnxruntime_binding.node

# ---- runtime: node, production node_modules, compiled JavaScript, the files the code reads ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    SWITCHYARD_LOG_LEVEL=info
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist/cli ./dist/cli
COPY --from=build /app/dist/gateway ./dist/gateway
COPY --from=build /app/dist/worker ./dist/worker
COPY --from=build /app/dist/protocol ./dist/protocol
COPY --from=build /app/dist/observability ./dist/observability
COPY --from=build /app/dist/stack ./dist/stack
# Read at run time from the source tree (tsc copies no data files): the gRPC .proto files and
# the iris data the demo models are trained on. config/ holds the example configs.
COPY protocol/grpc_service.proto protocol/health.proto ./protocol/
COPY worker/demo-models/data ./worker/demo-models/data
COPY config ./config
# `switchyard` on PATH is package.json's bin; /models is where model repositories are mounted
# (or built: `switchyard models build --out /models`), owned by the unprivileged user so a
# fresh named volume is writable. /app/models is where `switchyard up` builds the demo models.
RUN chmod 0755 dist/cli/main.js \
 && ln -s /app/dist/cli/main.js /usr/local/bin/switchyard \
 && mkdir -p /models /app/models \
 && chown node:node /models /app/models
# The node image's unprivileged user (uid 1000).
USER node
VOLUME ["/models"]
# gateway HTTP 8080, gateway gRPC 8081, admin + metrics 9901, worker HTTP 8000, worker gRPC 8001
EXPOSE 8080 8081 9901 8000 8001
ENTRYPOINT ["switchyard"]
CMD ["up"]

# syntax=docker/dockerfile:1
# GPU worker: CNN/LSTM training on the `gpu` queue with @tensorflow/tfjs-node-gpu (libtensorflow 2.x, CUDA 11 +
# cuDNN 8). The GPU comes from docker-compose.yml's deploy.resources.reservations (NVIDIA Container Toolkit).
# Build context: the repository root (see .dockerignore).
ARG NODE_IMAGE=node:20-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04

FROM ${NODE_IMAGE} AS node

# 1. Compile TypeScript (needs the dev dependencies: typescript, @types/*).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY src/ src/
RUN npx tsc -p tsconfig.json

# 2. CUDA base with Node 20 (the official Linux binary from the node image; it needs glibc >= 2.28).
FROM ${CUDA_IMAGE} AS cuda-node
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && node --version && npm --version \
    && useradd --uid 1000 --user-group --create-home node

# 3. Production node_modules plus tfjs-node-gpu, which downloads libtensorflow (GPU) at install time.
#    Its version must match @tensorflow/tfjs in package.json. Build tools only serve a from-source fallback.
FROM cuda-node AS deps
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error \
    && npm install --no-save --omit=dev --no-audit --no-fund --loglevel=error @tensorflow/tfjs-node-gpu@4.22.0 \
    && node -e "require.resolve('@tensorflow/tfjs-node-gpu')"

# 4. Runtime.
FROM cuda-node
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/build/src build/src
# Let TensorFlow allocate GPU memory as needed instead of all of it up front.
ENV TF_FORCE_GPU_ALLOW_GROWTH=true \
    DML_DATA_ROOT=/data
# /data is the volume shared with the CPU worker; a fresh named volume takes over this ownership (uid 1000).
RUN mkdir -p /data && chown node:node /data
USER node
CMD ["node", "build/src/workers/gpu.js"]

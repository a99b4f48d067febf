# syntax=docker/dockerfile:1
# GPU worker: CNN/LSTM training on the `gpu` queue with @tensorflow/tfjs-node-gpu@4.22.0 (package-lock.json),
# compiled against the TensorFlow 2.21.0 C library of PyPI's `tensorflow` wheel (its CUDA build) by
# scripts/setup-tensorflow.sh, with the CUDA 12 runtime wheels (cuBLAS, cuDNN 9, …) beside it. Only the driver
# (libcuda.so.1) comes from the host, through the NVIDIA Container Toolkit and docker-compose.yml's
# deploy.resources.reservations. Check a running worker's GPU with `node build/src/cli/index.js gpu-check`.
# Build context: the repository root (see .dockerignore).
ARG NODE_IMAGE=node:20-bookworm

# 1. Compile TypeScript (needs the dev dependencies: typescript, @types/*).
FROM ${NODE_IMAGE}-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY src/ src/
RUN npx tsc -p tsconfig.json

# 2. Production node_modules; tfjs-node-gpu (and tfjs-node, the CPU fallback) compiled against the pinned wheels.
#    The full bookworm image brings g++, make and python3 for node-gyp.
FROM ${NODE_IMAGE} AS native
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-pip \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts/ scripts/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
    && npm rebuild --loglevel=error koffi protobufjs \
    && PIP_BREAK_SYSTEM_PACKAGES=1 bash scripts/setup-tensorflow.sh build gpu \
    && PIP_BREAK_SYSTEM_PACKAGES=1 bash scripts/setup-tensorflow.sh build cpu \
    && rm -rf .cache/wheels

# 3. Runtime.
FROM ${NODE_IMAGE}-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=native /app/node_modules node_modules
COPY --from=native /app/.cache/tensorflow .cache/tensorflow
COPY --from=build /app/build/src build/src
# Let TensorFlow allocate GPU memory as needed instead of all of it up front.
ENV TF_FORCE_GPU_ALLOW_GROWTH=true \
    DML_DATA_ROOT=/data
# /data is the volume shared with the CPU worker; a fresh named volume takes over this ownership (uid 1000).
RUN mkdir -p /data && chown node:node /data
USER node
CMD ["node", "build/src/workers/gpu.js"]

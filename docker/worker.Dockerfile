# syntax=docker/dockerfile:1
# CPU worker: workflows plus data prep, LightGBM (lib_lightgbm.so through koffi), evaluation and registration
# activities on the `cpu` queue; tfjs inference (evaluation) on native TensorFlow (@tensorflow/tfjs-node).
# Build context: the repository root (see .dockerignore).

# 1. Compile TypeScript (needs the dev dependencies: typescript, @types/*). No install scripts: nothing here runs tfjs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY src/ src/
RUN npx tsc -p tsconfig.json

# 2. Production node_modules with @tensorflow/tfjs-node compiled against the TensorFlow C library of the pinned
#    tensorflow-cpu wheel (scripts/setup-tensorflow.sh; its own install script would download from outside PyPI/npm).
#    The full bookworm image brings g++, make and python3 for node-gyp.
FROM node:20-bookworm AS native
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-pip \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts/ scripts/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
    && npm rebuild --loglevel=error koffi protobufjs \
    && PIP_BREAK_SYSTEM_PACKAGES=1 bash scripts/setup-tensorflow.sh build cpu \
    && rm -rf .cache/wheels

# 3. lib_lightgbm.so from the lightgbm wheel (pinned like scripts/versions.sh). Only the shared library is used,
#    so the wheel's Python dependencies (numpy, scipy) are skipped.
FROM python:3.11-slim-bookworm AS lightgbm
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps lightgbm==4.7.0 \
    && test -f /opt/venv/lib/python3.11/site-packages/lightgbm/lib/lib_lightgbm.so

# 4. Runtime: node_modules with the addon, the TensorFlow library it links (node_modules/@tensorflow/tfjs-node/deps
#    points at .cache/tensorflow), compiled JS, the LightGBM library and its OpenMP runtime (libgomp1).
FROM node:20-bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=native /app/node_modules node_modules
COPY --from=native /app/.cache/tensorflow .cache/tensorflow
COPY --from=build /app/build/src build/src
COPY --from=lightgbm /opt/venv/lib/python3.11/site-packages/lightgbm /opt/venv/lib/python3.11/site-packages/lightgbm
ENV LIGHTGBM_LIB=/opt/venv/lib/python3.11/site-packages/lightgbm/lib/lib_lightgbm.so \
    DML_DATA_ROOT=/data
# /data is the volume shared with the GPU worker; a fresh named volume takes over this ownership (uid 1000).
RUN mkdir -p /data && chown node:node /data
USER node
CMD ["node", "build/src/workers/cpu.js"]

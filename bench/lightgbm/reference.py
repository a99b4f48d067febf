"""Python side of the LightGBM benchmark (driven by bench/lightgbm/run.ts; not meant to be run alone).

Reads the dataset file written by run.ts (same bytes), then repeats: Dataset construction, lgb.train for a
fixed number of rounds, and batch prediction on the held-out matrix, timing each phase with
time.perf_counter(). Writes a JSON summary (--out-json), the last repeat's predictions as float64
(--out-pred) and its model text (--out-model), so run.ts can compare them with the koffi binding's.

File layout (little endian): 8-byte magic b"LGBMBNCH", int32 version (1), int32 nTrain, int32 nTest,
int32 ncol, then Xtrain float64[nTrain*ncol] (row-major), ytrain float32[nTrain], Xtest float64[nTest*ncol],
ytest float32[nTest].
"""

import argparse
import json
import platform
import sys
import time

import numpy as np
import lightgbm as lgb

MAGIC = b"LGBMBNCH"
HEADER_BYTES = 24


def read_data(path):
    with open(path, "rb") as f:
        header = f.read(HEADER_BYTES)
        if header[:8] != MAGIC:
            raise SystemExit(f"{path}: not a benchmark data file")
        version, n_train, n_test, ncol = np.frombuffer(header[8:], dtype="<i4")
        if version != 1:
            raise SystemExit(f"{path}: unsupported version {version}")
        x_train = np.fromfile(f, dtype="<f8", count=n_train * ncol).reshape(n_train, ncol)
        y_train = np.fromfile(f, dtype="<f4", count=n_train)
        x_test = np.fromfile(f, dtype="<f8", count=n_test * ncol).reshape(n_test, ncol)
        y_test = np.fromfile(f, dtype="<f4", count=n_test)
    if len(y_test) != n_test:
        raise SystemExit(f"{path}: truncated")
    return x_train, y_train, x_test, y_test


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--params", required=True, help="LightGBM params as JSON")
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--repeats", type=int, required=True)
    ap.add_argument("--out-json", required=True)
    ap.add_argument("--out-pred", required=True)
    ap.add_argument("--out-model", required=True)
    args = ap.parse_args()

    params = json.loads(args.params)
    x_train, y_train, x_test, _ = read_data(args.data)
    n_test = x_test.shape[0]

    repeats = []
    first_pred = None
    pred = None
    booster = None
    for _ in range(args.repeats):
        if booster is not None:
            del booster
        t0 = time.perf_counter()
        ds = lgb.Dataset(x_train, label=y_train, params=params, free_raw_data=True)
        ds.construct()
        t1 = time.perf_counter()
        booster = lgb.train(params, ds, num_boost_round=args.rounds)
        t2 = time.perf_counter()
        pred = booster.predict(x_test)
        t3 = time.perf_counter()
        if first_pred is None:
            first_pred = pred
        repeats.append({
            "constructMs": (t1 - t0) * 1e3,
            "trainMs": (t2 - t1) * 1e3,
            "predictMs": (t3 - t2) * 1e3,
            "predictRowsPerSec": n_test / (t3 - t2),
            "iterations": booster.current_iteration(),
        })
        del ds

    np.asarray(pred, dtype="<f8").tofile(args.out_pred)
    with open(args.out_model, "w", encoding="utf-8") as f:
        f.write(booster.model_to_string())
    summary = {
        "python": sys.version.split()[0],
        "pythonImplementation": platform.python_implementation(),
        "lightgbm": lgb.__version__,
        "lightgbmLib": lgb.basic._LIB._name if hasattr(lgb.basic, "_LIB") else None,
        "numpy": np.__version__,
        "repeats": repeats,
        "predictionRepeatMaxAbsDiff": float(np.max(np.abs(pred - first_pred))),
    }
    with open(args.out_json, "w", encoding="utf-8") as f:
        json.dump(summary, f)


if __name__ == "__main__":
    main()

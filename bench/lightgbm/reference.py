"""Python side of the LightGBM benchmark, driven by bench/lightgbm/run.ts (not meant to be run by hand).

Reads the dataset file written by run.ts (the very same bytes), prints one JSON line when ready, then serves
commands read line by line from stdin, so that run.ts can interleave its repeats with the Node ones:

  repeat  -> Dataset construction (lgb.Dataset(X, label=y, params=params).construct()), lgb.train for a fixed
             number of rounds, booster.predict of the held-out matrix, each timed with time.perf_counter();
             answers one JSON line with the times in ms.
  finish  -> writes the last repeat's predictions (float64, --out-pred) and model text (--out-model), answers
             one JSON line and exits.

Data file layout (little endian): 8-byte magic b"LGBMBNCH", int32 version (1), int32 nTrain, int32 nTest,
int32 ncol, then xTrain float64[nTrain*ncol] (row-major), yTrain float32[nTrain], xTest float64[nTest*ncol],
yTest float32[nTest].
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
        version, n_train, n_test, ncol = (int(v) for v in np.frombuffer(header[8:], dtype="<i4"))
        if version != 1:
            raise SystemExit(f"{path}: unsupported version {version}")
        x_train = np.fromfile(f, dtype="<f8", count=n_train * ncol).reshape(n_train, ncol)
        y_train = np.fromfile(f, dtype="<f4", count=n_train)
        x_test = np.fromfile(f, dtype="<f8", count=n_test * ncol).reshape(n_test, ncol)
        y_test = np.fromfile(f, dtype="<f4", count=n_test)
    if len(y_test) != n_test:
        raise SystemExit(f"{path}: truncated")
    return x_train, y_train, x_test, y_test


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--params", required=True, help="LightGBM params as JSON")
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--out-pred", required=True)
    ap.add_argument("--out-model", required=True)
    args = ap.parse_args()

    params = json.loads(args.params)
    x_train, y_train, x_test, _ = read_data(args.data)
    n_test = x_test.shape[0]
    reply({
        "ready": True,
        "python": sys.version.split()[0],
        "pythonImplementation": platform.python_implementation(),
        "lightgbm": lgb.__version__,
        "lightgbmLibrary": getattr(getattr(lgb.basic, "_LIB", None), "_name", None),
        "numpy": np.__version__,
    })

    first_pred = None
    pred = None
    booster = None
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "repeat":
            booster = None  # release the previous repeat's model before timing the next one
            t0 = time.perf_counter()
            ds = lgb.Dataset(x_train, label=y_train, params=params)
            ds.construct()
            t1 = time.perf_counter()
            booster = lgb.train(params, ds, num_boost_round=args.rounds)
            t2 = time.perf_counter()
            pred = booster.predict(x_test)
            t3 = time.perf_counter()
            del ds
            if first_pred is None:
                first_pred = pred
            reply({
                "constructMs": (t1 - t0) * 1e3,
                "trainMs": (t2 - t1) * 1e3,
                "predictMs": (t3 - t2) * 1e3,
                "predictRowsPerSec": n_test / (t3 - t2),
                "iterations": booster.current_iteration(),
            })
        elif cmd == "finish":
            if booster is None:
                raise SystemExit("finish before any repeat")
            np.asarray(pred, dtype="<f8").tofile(args.out_pred)
            with open(args.out_model, "w", encoding="utf-8") as f:
                f.write(booster.model_to_string())
            reply({"done": True, "repeatMaxAbsDiff": float(np.max(np.abs(pred - first_pred)))})
            return
        elif cmd:
            raise SystemExit(f"unknown command {cmd!r}")


if __name__ == "__main__":
    main()

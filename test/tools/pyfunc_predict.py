"""Loads a registered model with MLflow's own Python API and predicts on rows, as a Python user of the registry would.

    .venv/bin/python test/tools/pyfunc_predict.py MODEL_URI ROWS_JSON OUT_JSON

ROWS_JSON holds {"columns": [...], "data": [[...], ...]} (pandas split orient); OUT_JSON gets the predictions as a
list, plus the flavors MLflow loaded. MLFLOW_TRACKING_URI names the server (models:/ URIs resolve through it).
"""
import json
import sys

import mlflow.pyfunc
import numpy as np
import pandas as pd


def main(model_uri: str, rows_file: str, out_file: str) -> None:
    with open(rows_file) as f:
        rows = json.load(f)
    frame = pd.DataFrame(rows["data"], columns=rows["columns"], dtype=np.float64)
    model = mlflow.pyfunc.load_model(model_uri)
    predictions = np.asarray(model.predict(frame), dtype=np.float64).reshape(-1)
    with open(out_file, "w") as f:
        json.dump(
            {
                "predictions": predictions.tolist(),
                "loader_module": model.metadata.flavors["python_function"]["loader_module"],
                "input_names": model.metadata.get_input_schema().input_names(),
            },
            f,
        )


if __name__ == "__main__":
    main(*sys.argv[1:4])

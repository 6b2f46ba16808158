"""Saves the MLflow peer of the `request-only` model, for `mlflow models serve` (scenario d).

    python bench/serving/peers/mlflow_model.py <sample.csv> <model-dir>

The sample holds `distance`, `hour` and `delay` of flights from the request-only model's training
slice. The model is what a data scientist would write for the same inputs and label: a
scikit-learn LogisticRegression behind a StandardScaler (our trainer standardises internally too),
label `delay > 15`, served as probabilities (`predict_proba`) like `POST /api/predict`. Prints one
`BENCH_RESULT {json}` line describing it.
"""

import json
import shutil
import sys

import mlflow
import mlflow.sklearn
import pandas as pd
import sklearn
from mlflow.models import infer_signature
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

INPUTS = ["distance", "hour"]


def main(sample_csv: str, model_dir: str) -> None:
    frame = pd.read_csv(sample_csv)
    x = frame[INPUTS].astype("float64")
    y = (frame["delay"] > 15).astype("int64")
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(x, y)
    probability = model.predict_proba(x)
    shutil.rmtree(model_dir, ignore_errors=True)
    mlflow.sklearn.save_model(
        model,
        model_dir,
        signature=infer_signature(x, probability),
        pyfunc_predict_fn="predict_proba",
        # listed, not inferred: inference imports the model in a subprocess and gains nothing here
        pip_requirements=[f"mlflow=={mlflow.__version__}", f"scikit-learn=={sklearn.__version__}"],
    )
    result = {
        "rows": len(frame),
        "positiveShare": float(y.mean()),
        "trainAuc": float(roc_auc_score(y, probability[:, 1])),
        "mlflow": mlflow.__version__,
        "scikitLearn": sklearn.__version__,
        "pandas": pd.__version__,
    }
    print("BENCH_RESULT " + json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: mlflow_model.py <sample.csv> <model-dir>")
    main(sys.argv[1], sys.argv[2])

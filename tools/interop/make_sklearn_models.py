"""Models made elsewhere, as a team would bring them: scikit-learn fitted on its bundled datasets and
exported with skl2onnx. Writes <out>/<name>.onnx and <out>/<name>.json (column names, test rows,
and scikit-learn's own predict / predict_proba on them) for the interoperability tests.

usage: python make_sklearn_models.py <out-dir>
"""

import json
import sys
from pathlib import Path

import numpy as np
from skl2onnx import to_onnx
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

TEST_ROWS = 25


def columns_of(dataset):
    return [name.replace(" ", "_").replace("(", "").replace(")", "") for name in dataset.feature_names]


def write(out: Path, name: str, onnx_model, columns, x_test, expected):
    (out / f"{name}.onnx").write_bytes(onnx_model.SerializeToString())
    (out / f"{name}.json").write_text(json.dumps({"columns": columns, "rows": x_test.tolist(), **expected}))


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)

    # binary: a scaled logistic regression; skl2onnx's default outputs (label + ZipMap of probabilities)
    data = load_breast_cancer()
    x, y = data.data.astype(np.float32), data.target
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000, random_state=0)).fit(x, y)
    x_test = x[:TEST_ROWS]
    write(out, "breast-cancer-lr", to_onnx(model, x_test[:1], target_opset=17), columns_of(data), x_test,
          {"classes": model.classes_.tolist(), "predict": model.predict(x_test).tolist(), "predict_proba": model.predict_proba(x_test).tolist()})

    # multi-class: a random forest on iris, probabilities as a plain [N, 3] tensor (zipmap off)
    data = load_iris()
    x, y = data.data.astype(np.float32), data.target
    model = RandomForestClassifier(n_estimators=25, max_depth=4, random_state=0).fit(x, y)
    x_test = x[::6]
    write(out, "iris-rf", to_onnx(model, x_test[:1], options={"zipmap": False}, target_opset=17), columns_of(data), x_test,
          {"classes": model.classes_.tolist(), "predict": model.predict(x_test).tolist(), "predict_proba": model.predict_proba(x_test).tolist()})

    # classes with names: the same iris forest fitted on the species names (a string label tensor
    # and a ZipMap keyed by name), and a binary logistic regression on breast cancer's names
    names = data.target_names[y]
    model = RandomForestClassifier(n_estimators=25, max_depth=4, random_state=0).fit(x, names)
    write(out, "iris-names", to_onnx(model, x_test[:1], target_opset=17), columns_of(data), x_test,
          {"classes": model.classes_.tolist(), "predict": model.predict(x_test).tolist(), "predict_proba": model.predict_proba(x_test).tolist(),
           "truth": names[::6].tolist()})
    data = load_breast_cancer()
    x, names = data.data.astype(np.float32), data.target_names[data.target]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000, random_state=0)).fit(x, names)
    x_test = x[:TEST_ROWS]
    write(out, "breast-cancer-names", to_onnx(model, x_test[:1], target_opset=17), columns_of(data), x_test,
          {"classes": model.classes_.tolist(), "predict": model.predict(x_test).tolist(), "predict_proba": model.predict_proba(x_test).tolist(),
           "truth": names[:TEST_ROWS].tolist()})

    # regression: gradient boosting on diabetes (float32, as ONNX Runtime's tree ensembles compute)
    data = load_diabetes()
    x, y = data.data.astype(np.float32), data.target
    model = GradientBoostingRegressor(n_estimators=60, max_depth=3, random_state=0).fit(x, y)
    x_test = x[:TEST_ROWS]
    write(out, "diabetes-gbr", to_onnx(model, x_test[:1], target_opset=17), columns_of(data), x_test, {"predict": model.predict(x_test).tolist()})

    # a model ONNX Runtime refuses to load: fed float64, skl2onnx writes a double-typed
    # TreeEnsembleRegressor of ai.onnx.ml opset 1, which declares float outputs only
    x64 = data.data.astype(np.float64)
    refused = GradientBoostingRegressor(n_estimators=5, max_depth=2, random_state=0).fit(x64, y)
    (out / "diabetes-gbr-double.onnx").write_bytes(to_onnx(refused, x64[:1], target_opset=17).SerializeToString())


if __name__ == "__main__":
    main(Path(sys.argv[1]))

"""One run of scikit-learn's MLPClassifier, in its own process:
`python bench/nn/peers/mlp_peer.py <dataset> '<settings json>'` with the settings of
bench/nn/nn.settings.ts (our names; translated below). Prints one `BENCH_RESULT {json}` line.
Only fitting is timed (imputer, scaler and network, as our trainer standardises inside its call);
loading and scoring are not."""

import json
import os
import platform
import resource
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "peers"))
from bench_data import read_split  # noqa: E402

RESULT_PREFIX = "BENCH_RESULT "


def mlp(settings: dict) -> MLPClassifier:
    """The same network and schedule in scikit-learn's terms. Our loss adds l2·Σw² to the batch's
    mean log loss; scikit-learn's adds alpha/(2·batch)·Σw², so alpha = 2·batch·l2. tol=0 with
    n_iter_no_change=epochs: no early stop, exactly `epochs` passes over shuffled mini-batches."""
    if settings["dropout"] or settings["batchNorm"]:
        raise ValueError("MLPClassifier has neither dropout nor batch norm")
    epochs = settings["epochs"]
    return MLPClassifier(
        hidden_layer_sizes=tuple(settings["hiddenLayers"]),
        activation=settings["activation"],
        solver="adam",
        alpha=2 * settings["batchSize"] * settings["l2"],
        batch_size=settings["batchSize"],
        learning_rate_init=settings["learningRate"],
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        shuffle=True,
        early_stopping=False,
        random_state=settings["seed"],
    )


def main() -> None:
    dataset, settings = sys.argv[1], json.loads(sys.argv[2])
    _, x_train, y_train = read_split(dataset, "train")
    _, x_test, y_test = read_split(dataset, "test")
    # The same preprocessing as ours: missing → training mean, then standardised on the training rows.
    model = make_pipeline(SimpleImputer(strategy="mean"), StandardScaler(), mlp(settings))
    with warnings.catch_warnings():
        # max_iter is the schedule, not a convergence budget: the warning says nothing here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        cpu, started = time.process_time(), time.perf_counter()
        model.fit(x_train, y_train)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    p = np.asarray(model.predict_proba(x_test)[:, 1], dtype="float64")
    network = model[-1]
    result = {
        "side": "peer",
        "dataset": dataset,
        "trainSeconds": seconds,
        "trainCpuSeconds": cpu_seconds,
        "auc": float(roc_auc_score(y_test, p)),
        "logLoss": float(log_loss(y_test, p, labels=[0, 1])),
        "epochs": int(network.n_iter_),
        "finalTrainLoss": float(network.loss_curve_[-1]),
        "engine": f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}, Python {platform.python_version()}",
        "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,  # kilobytes on Linux
    }
    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

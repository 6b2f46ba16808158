"""One benchmark run of a peer library, in its own process:
`python bench/peers/peer.py <dataset> <lr|gbdt>` — scikit-learn LogisticRegression for `lr`,
LightGBM for `gbdt`. Prints one `BENCH_RESULT {json}` line. Only training is timed (a monotonic
clock around fitting; LightGBM's Dataset construction, i.e. binning, counts as training because
our GBDT bins inside trainGbdt too); loading and scoring are not."""

import json
import resource
import sys
import time

import numpy as np
from sklearn.metrics import log_loss, roc_auc_score

from bench_data import read_split

RESULT_PREFIX = "BENCH_RESULT "
SEED = 42

# Same settings as GBDT_PARAMS in bench/bench-result.ts, in LightGBM's names.
LIGHTGBM_PARAMS = {
    "objective": "binary",
    "num_leaves": 31,
    "learning_rate": 0.1,
    "min_data_in_leaf": 20,
    "max_bin": 255,
    "lambda_l2": 0.0,
    "feature_fraction": 1.0,
    "bagging_fraction": 1.0,
    "num_threads": 2,
    "seed": SEED,
    "verbose": -1,
}
LIGHTGBM_ROUNDS = 100

# C large ≈ unregularised; inputs mean-imputed and standardised like our trainer does internally.
LR_C = 1e6
LR_MAX_ITER = 1000


def logistic_regression(x_train, y_train, x_test):
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(
        SimpleImputer(strategy="mean"),
        StandardScaler(),
        LogisticRegression(solver="lbfgs", C=LR_C, max_iter=LR_MAX_ITER, random_state=SEED),
    )
    started = time.perf_counter()
    model.fit(x_train, y_train)
    seconds = time.perf_counter() - started
    params = {"solver": "lbfgs", "C": LR_C, "max_iter": LR_MAX_ITER, "n_iter": int(model[-1].n_iter_[0])}
    return seconds, model.predict_proba(x_test)[:, 1], params


def lightgbm(x_train, y_train, x_test):
    import lightgbm as lgb

    started = time.perf_counter()
    train = lgb.Dataset(x_train, label=y_train, params={"max_bin": LIGHTGBM_PARAMS["max_bin"], "verbose": -1})
    booster = lgb.train(LIGHTGBM_PARAMS, train, num_boost_round=LIGHTGBM_ROUNDS)
    seconds = time.perf_counter() - started
    return seconds, booster.predict(x_test), {**LIGHTGBM_PARAMS, "num_iterations": LIGHTGBM_ROUNDS}


def main() -> None:
    dataset, model = sys.argv[1:3]
    _, x_train, y_train = read_split(dataset, "train")
    _, x_test, y_test = read_split(dataset, "test")
    train = {"lr": logistic_regression, "gbdt": lightgbm}[model]
    seconds, p, params = train(x_train, y_train, x_test)
    p = np.asarray(p, dtype="float64")
    result = {
        "side": "peer",
        "dataset": dataset,
        "model": model,
        "status": "ok",
        "trainSeconds": seconds,
        "auc": float(roc_auc_score(y_test, p)),
        "logLoss": float(log_loss(y_test, p, labels=[0, 1])),
        "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,  # kilobytes on Linux
        "params": params,
    }
    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

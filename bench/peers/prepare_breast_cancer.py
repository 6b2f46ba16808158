"""Exports scikit-learn's bundled breast-cancer data (no download) to bench/.data/breast-cancer
with one stratified, seeded 80/20 split that both sides of the benchmark then share."""

import sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from bench_data import write_dataset

SEED = 42


def main() -> None:
    data = load_breast_cancer()
    x_train, x_test, y_train, y_test = train_test_split(
        data.data, data.target.astype("float64"), test_size=0.2, stratify=data.target, random_state=SEED
    )
    # Feature names like "mean radius" are fine in the manifest; files are named by index.
    directory = write_dataset(
        "breast-cancer",
        f"sklearn.datasets.load_breast_cancer (scikit-learn {sklearn.__version__}), "
        f"stratified 80/20 split, random_state={SEED}",
        "target (1 = benign)",
        [str(n) for n in data.feature_names],
        {"train": (x_train, y_train), "test": (x_test, y_test)},
    )
    print(f"breast-cancer: {len(y_train)} train / {len(y_test)} test × {x_train.shape[1]} features → {directory}")


if __name__ == "__main__":
    main()

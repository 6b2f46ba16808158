"""Reads and writes the benchmark format of bench/bench-data.io.ts: a manifest.json and one raw
little-endian float64 file per column and split (NaN = missing)."""

import json
import os
from datetime import datetime, timezone

import numpy as np

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".data")


def read_split(name: str, split: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(feature names, X as a C-contiguous [rows, features] float64 matrix, y)."""
    directory = os.path.join(DATA_DIR, name)
    with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    files = manifest["splits"][split]
    rows = files["rows"]

    def read(path: str) -> np.ndarray:
        values = np.fromfile(os.path.join(directory, path), dtype="<f8")
        if values.shape != (rows,):
            raise ValueError(f"{path}: {values.shape[0]} values, expected {rows}")
        return values

    x = np.column_stack([read(c) for c in files["columns"]]) if files["columns"] else np.empty((rows, 0))
    return manifest["features"], np.ascontiguousarray(x), read(files["label"])


def write_dataset(name: str, description: str, label: str, features: list[str], splits: dict) -> str:
    """splits: {"train": (X, y), "test": (X, y)}."""
    directory = os.path.join(DATA_DIR, name)
    manifest_splits = {}
    for split, (x, y) in splits.items():
        os.makedirs(os.path.join(directory, split), exist_ok=True)
        columns = []
        for j in range(x.shape[1]):
            path = f"{split}/x{j:03d}.f64"
            np.ascontiguousarray(x[:, j], dtype="<f8").tofile(os.path.join(directory, path))
            columns.append(path)
        np.ascontiguousarray(y, dtype="<f8").tofile(os.path.join(directory, f"{split}/y.f64"))
        manifest_splits[split] = {"rows": int(x.shape[0]), "columns": columns, "label": f"{split}/y.f64"}
    manifest = {
        "name": name,
        "task": "binary",
        "description": description,
        "features": features,
        "label": label,
        "splits": manifest_splits,
        "createdAt": datetime.now(timezone.utc).isoformat(),
    }
    with open(os.path.join(directory, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return directory

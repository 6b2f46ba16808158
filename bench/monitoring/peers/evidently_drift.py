"""The Evidently peer of bench/monitoring/drift-bench.main.ts.

Reads the reference and current columns the bench wrote (float64, little-endian, one column after
another), runs Evidently's drift report with PSI and KS for every column (ValueDrift per column
and method, in one Report), and prints one JSON line: the seconds the report took (building the
datasets included, reading the files not) and per column Evidently's PSI and KS p-value, plus
SciPy's exact KS statistic (computed after the timing, for the value comparison).
"""

import json
import sys
import time

import numpy as np
import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.metrics import ValueDrift
from scipy.stats import ks_2samp


def read(path: str, rows: int, columns: int) -> pd.DataFrame:
    data = np.fromfile(path, dtype="<f8").reshape(columns, rows)
    return pd.DataFrame({f"f{j}": data[j] for j in range(columns)})


def main() -> None:
    reference_path, current_path, rows, columns = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    reference = read(reference_path, rows, columns)
    current = read(current_path, rows, columns)
    names = list(reference.columns)

    started = time.perf_counter()
    definition = DataDefinition(numerical_columns=names)
    report = Report([ValueDrift(column=c, method="psi") for c in names] + [ValueDrift(column=c, method="ks") for c in names])
    result = report.run(Dataset.from_pandas(current, data_definition=definition), Dataset.from_pandas(reference, data_definition=definition))
    seconds = time.perf_counter() - started

    values = {m["config"]["column"] + ":" + m["config"]["method"]: float(m["value"]) for m in result.dict()["metrics"]}
    out = [
        {
            "name": c,
            "psi": values[c + ":psi"],
            "ksPValue": values[c + ":ks"],
            "ksStatistic": float(ks_2samp(reference[c], current[c]).statistic),
        }
        for c in names
    ]
    print(json.dumps({"seconds": seconds, "columns": out}))


if __name__ == "__main__":
    main()

"""Score customers with a trained churn model.

The model is the JSON written by ``train.py``: a logistic regression on
standardised features. :func:`predict` is the ``predict`` function registered
with the model (``src/predict.py:predict``); it depends on nothing but the
standard library so it can be loaded on its own.

Command line::

    python3 src/predict.py --model models/churn.json --data data/features.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence, Union

Model = Mapping[str, Any]


def load_model(path: Union[str, Path]) -> dict[str, Any]:
    """Load a model JSON file written by ``train.py``."""
    with Path(path).open(encoding="utf-8") as f:
        return json.load(f)


def _value(row: Mapping[str, Any], name: str) -> float:
    """Read one feature from a row as a float (accepts numbers, numeric text and booleans)."""
    value = row[name]
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return 1.0 if value.strip().lower() == "true" else 0.0
    return float(value)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def predict(model: Union[Model, str, Path], rows: Sequence[Mapping[str, Any]]) -> list[float]:
    """Return the churn probability of each row.

    Args:
        model: the model dict (or a path to its JSON file).
        rows: mappings from feature name to value, e.g. the output of
            ``featurize.build_features`` or rows of ``data/features.csv``.
            Extra keys (``customer_id``, the label...) are ignored; a missing
            feature raises ``KeyError``.
    """
    if not isinstance(model, Mapping):
        model = load_model(model)
    names = model["feature_names"]
    weights, means, stds = model["weights"], model["means"], model["stds"]
    bias = float(model["bias"])

    probabilities = []
    for row in rows:
        z = bias
        for name, w, mean, std in zip(names, weights, means, stds):
            z += w * (_value(row, name) - mean) / std
        probabilities.append(_sigmoid(z))
    return probabilities


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print churn probabilities for a feature CSV.")
    parser.add_argument("--model", type=Path, default=Path("models/churn.json"))
    parser.add_argument("--data", type=Path, default=Path("data/features.csv"))
    args = parser.parse_args(argv)

    model = load_model(args.model)
    with args.data.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    threshold = float(model.get("threshold", 0.5))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["customer_id", "churn_probability", "churn_predicted"])
    for row, p in zip(rows, predict(model, rows)):
        writer.writerow([row.get("customer_id", ""), f"{p:.4f}", int(p >= threshold)])


if __name__ == "__main__":
    main()

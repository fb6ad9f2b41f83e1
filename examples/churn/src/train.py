"""Train a logistic-regression churn classifier with batch gradient descent.

Pure Python: features are standardised with the training split's means and
standard deviations, then weights are fitted by full-batch gradient descent on
the (optionally L2-regularised) log loss. The held-out split is scored with
:func:`predict.predict`, the very function used at serving time.

Usage::

    python3 src/train.py --data data/features.csv --lr 0.5 --epochs 300 \\
        --out models/churn.json --metrics reports/metrics.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, Sequence

_SRC = str(Path(__file__).resolve().parent)
if _SRC not in sys.path:
    sys.path.insert(0, _SRC)

from dataset import columns_of, read_csv, to_float, train_test_split  # noqa: E402
from metrics import classification_metrics  # noqa: E402
from predict import predict  # noqa: E402

MODEL_FORMAT = "churn-logreg/1"
ID_COLUMN = "customer_id"


def standardise(
    columns: Sequence[Sequence[float]],
) -> tuple[list[list[float]], list[float], list[float]]:
    """Centre and scale each column; returns (scaled columns, means, stds).

    A constant column gets std 1.0 so it scales to all zeros instead of NaN.
    """
    scaled, means, stds = [], [], []
    for col in columns:
        mean = sum(col) / len(col)
        std = math.sqrt(sum((x - mean) ** 2 for x in col) / len(col)) or 1.0
        scaled.append([(x - mean) / std for x in col])
        means.append(mean)
        stds.append(std)
    return scaled, means, stds


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def fit_logistic_regression(
    columns: Sequence[Sequence[float]],
    y: Sequence[int],
    lr: float,
    epochs: int,
    l2: float = 0.0,
    log_every: int = 0,
) -> tuple[list[float], float, list[float]]:
    """Fit weights and bias by full-batch gradient descent.

    Args:
        columns: the (standardised) design matrix, one list per feature.
        y: 0/1 labels.
        lr: learning rate (step size).
        epochs: number of full passes over the data.
        l2: L2 penalty on the weights (not on the bias).
        log_every: print the loss every this many epochs (0: never).

    Returns:
        (weights, bias, loss history with one entry per epoch).
    """
    n, d = len(y), len(columns)
    weights, bias = [0.0] * d, 0.0
    history = []
    for epoch in range(1, epochs + 1):
        # Forward pass, column by column (much faster than row by row in CPython).
        z = [bias] * n
        for w, col in zip(weights, columns):
            z = [zi + w * xi for zi, xi in zip(z, col)]
        p = [_sigmoid(zi) for zi in z]
        errors = [pi - yi for pi, yi in zip(p, y)]

        loss = -sum(math.log(max(pi, 1e-12)) if yi else math.log(max(1.0 - pi, 1e-12))
                    for pi, yi in zip(p, y)) / n
        loss += 0.5 * l2 * sum(w * w for w in weights)
        history.append(loss)
        if log_every and (epoch == 1 or epoch % log_every == 0 or epoch == epochs):
            print(f"epoch {epoch:4d}  train log loss {loss:.4f}")

        # Gradient of the mean log loss (+ L2) and one descent step.
        for j, col in enumerate(columns):
            grad = sum(e * x for e, x in zip(errors, col)) / n + l2 * weights[j]
            weights[j] -= lr * grad
        bias -= lr * sum(errors) / n
    return weights, bias, history


def feature_columns(header: Sequence[str], label: str) -> list[str]:
    """Every column except the id and the label is a model feature."""
    return [c for c in header if c not in (ID_COLUMN, label)]


def train(
    rows: Sequence[dict[str, str]],
    label: str,
    lr: float,
    epochs: int,
    l2: float,
    seed: int,
    test_fraction: float,
    verbose: bool = True,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split, standardise, fit and evaluate; returns (model, metrics)."""
    names = feature_columns(columns_of(rows), label)
    if not names:
        raise ValueError(f"no feature columns besides {ID_COLUMN!r} and {label!r}")
    train_rows, test_rows = train_test_split(rows, test_fraction, seed)

    y_train = [int(r[label]) for r in train_rows]
    raw_columns = [[to_float(r[name]) for r in train_rows] for name in names]
    columns, means, stds = standardise(raw_columns)
    weights, bias, history = fit_logistic_regression(
        columns, y_train, lr, epochs, l2, log_every=max(1, epochs // 5) if verbose else 0
    )

    model: dict[str, Any] = {
        "format": MODEL_FORMAT,
        "kind": "logistic_regression",
        "label": label,
        "feature_names": names,
        "weights": weights,
        "bias": bias,
        "means": means,
        "stds": stds,
        "threshold": 0.5,
        "training": {
            "lr": lr,
            "epochs": epochs,
            "l2": l2,
            "seed": seed,
            "test_fraction": test_fraction,
            "n_train": len(train_rows),
            "n_test": len(test_rows),
            "final_train_log_loss": round(history[-1], 6),
        },
    }

    # Score both splits through the serving code path.
    y_test = [int(r[label]) for r in test_rows]
    test_metrics = classification_metrics(y_test, predict(model, test_rows), model["threshold"])
    train_metrics = classification_metrics(y_train, predict(model, train_rows), model["threshold"])
    metrics: dict[str, Any] = {
        **test_metrics,
        "train_auc": train_metrics["auc"],
        "train_log_loss": train_metrics["log_loss"],
        "n_train": len(train_rows),
        "n_test": len(test_rows),
        "test_positive_rate": round(sum(y_test) / len(y_test), 4),
    }
    return model, metrics


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Train the churn logistic regression.")
    parser.add_argument("--data", type=Path, default=Path("data/features.csv"), help="feature table (CSV)")
    parser.add_argument("--out", type=Path, default=Path("models/churn.json"), help="model JSON to write")
    parser.add_argument("--metrics", type=Path, default=Path("reports/metrics.json"),
                        help="held-out metrics JSON to write")
    parser.add_argument("--label", default="churned", help="label column (default: churned)")
    parser.add_argument("--lr", type=float, default=0.5, help="learning rate (default: 0.5)")
    parser.add_argument("--epochs", type=int, default=300, help="gradient descent epochs (default: 300)")
    parser.add_argument("--l2", type=float, default=0.001, help="L2 penalty (default: 0.001)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the train/test split (default: 42)")
    parser.add_argument("--test-fraction", type=float, default=0.2, help="held-out fraction (default: 0.2)")
    parser.add_argument("--quiet", action="store_true", help="do not print the loss curve")
    args = parser.parse_args(argv)
    if args.lr <= 0 or args.epochs < 1:
        parser.error("--lr must be positive and --epochs at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    rows = read_csv(args.data)
    model, metrics = train(rows, args.label, args.lr, args.epochs, args.l2,
                           args.seed, args.test_fraction, verbose=not args.quiet)
    write_json(args.out, model)
    write_json(args.metrics, metrics)
    print(f"wrote model to {args.out} and metrics to {args.metrics}")
    print("held-out: " + ", ".join(f"{k}={metrics[k]}" for k in
                                   ("accuracy", "auc", "log_loss", "precision", "recall")))


if __name__ == "__main__":
    main()

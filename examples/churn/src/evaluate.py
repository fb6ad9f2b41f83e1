"""Evaluate a trained churn model on its held-out split and gate on quality.

Re-creates the exact test split used by ``train.py`` (the seed and test
fraction are read from the model file), scores it with :func:`predict.predict`
and writes ``reports/evaluation.json`` with the metrics, the confusion matrix
and a decile lift table (how many churners the top 10 %, 20 %... of scores
catch). Exits with status 1 when the AUC is below ``--min-auc``, so a pipeline
stops before publishing a report for a bad model.

Usage::

    python3 src/evaluate.py --model models/churn.json --data data/features.csv \\
        --out reports/evaluation.json --min-auc 0.7
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

_SRC = str(Path(__file__).resolve().parent)
if _SRC not in sys.path:
    sys.path.insert(0, _SRC)

from dataset import read_csv, train_test_split  # noqa: E402
from metrics import classification_metrics, confusion_matrix  # noqa: E402
from predict import load_model, predict  # noqa: E402


def lift_table(y_true: Sequence[int], y_prob: Sequence[float], buckets: int = 10) -> list[dict[str, Any]]:
    """Sort by descending score, cut into ``buckets`` groups and describe each.

    For each group: its size, churners, churn rate, the share of all churners
    caught so far (cumulative recall) and the lift over the base rate.
    """
    pairs = sorted(zip(y_prob, y_true), key=lambda t: -t[0])
    total_pos = sum(y_true) or 1
    base_rate = sum(y_true) / len(y_true) if y_true else 0.0
    table, caught, start = [], 0, 0
    for b in range(1, buckets + 1):
        end = round(len(pairs) * b / buckets)
        group = pairs[start:end]
        start = end
        if not group:
            continue
        positives = sum(y for _, y in group)
        caught += positives
        rate = positives / len(group)
        table.append({
            "decile": b,
            "n": len(group),
            "churners": positives,
            "churn_rate": round(rate, 4),
            "cumulative_recall": round(caught / total_pos, 4),
            "lift": round(rate / base_rate, 3) if base_rate else None,
        })
    return table


def evaluate(model: dict[str, Any], rows: Sequence[dict[str, str]]) -> dict[str, Any]:
    """Score the model's held-out split of ``rows``; returns the evaluation document."""
    training = model["training"]
    _, test_rows = train_test_split(rows, training["test_fraction"], training["seed"])
    label = model["label"]
    y_true = [int(r[label]) for r in test_rows]
    y_prob = predict(model, test_rows)
    threshold = float(model.get("threshold", 0.5))
    return {
        "n_test": len(test_rows),
        "threshold": threshold,
        "metrics": classification_metrics(y_true, y_prob, threshold),
        "confusion_matrix": confusion_matrix(y_true, y_prob, threshold),
        "lift": lift_table(y_true, y_prob),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Evaluate the churn model on its held-out split.")
    parser.add_argument("--model", type=Path, default=Path("models/churn.json"))
    parser.add_argument("--data", type=Path, default=Path("data/features.csv"))
    parser.add_argument("--out", type=Path, default=Path("reports/evaluation.json"))
    parser.add_argument("--min-auc", type=float, default=0.0,
                        help="fail (exit 1) when the held-out AUC is below this (default: 0, no gate)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = evaluate(load_model(args.model), read_csv(args.data))
    auc = result["metrics"]["auc"]
    result["gate"] = {"min_auc": args.min_auc, "passed": auc >= args.min_auc}

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    top = result["lift"][0] if result["lift"] else None
    print(f"wrote {args.out}: auc={auc}, confusion={result['confusion_matrix']}")
    if top:
        print(f"top decile: churn rate {top['churn_rate']:.0%}, lift {top['lift']}x")
    if not result["gate"]["passed"]:
        print(f"quality gate failed: auc {auc} < min_auc {args.min_auc}", file=sys.stderr)
        return 1
    print(f"quality gate passed: auc {auc} >= {args.min_auc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

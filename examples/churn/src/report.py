"""Write a short human-readable Markdown report of a trained churn model.

Usage::

    python3 src/report.py --model models/churn.json --metrics reports/metrics.json \\
        --out reports/report.md
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

#: Metrics shown in the report, with a short explanation of each.
METRICS = {
    "auc": "ranking quality (0.5 = random, 1 = perfect)",
    "accuracy": "share of correct predictions at the threshold",
    "precision": "of customers flagged, share who churned",
    "recall": "of churners, share flagged",
    "f1": "harmonic mean of precision and recall",
    "log_loss": "calibration of probabilities (lower is better)",
}


def render(model: dict[str, Any], metrics: dict[str, Any], top: int = 10) -> str:
    """Render the report as Markdown (deterministic: no dates, stable ordering)."""
    training = model["training"]
    lines = [
        "# Churn model report",
        "",
        f"Logistic regression on {len(model['feature_names'])} features, trained by batch "
        f"gradient descent (lr {training['lr']}, {training['epochs']} epochs, L2 {training['l2']}) "
        f"on {training['n_train']} customers; evaluated on {training['n_test']} held-out customers "
        f"(split seed {training['seed']}).",
        "",
        "## Held-out metrics",
        "",
        "| metric | value | meaning |",
        "|---|---:|---|",
    ]
    for name, meaning in METRICS.items():
        if name in metrics:
            lines.append(f"| {name} | {metrics[name]:.4f} | {meaning} |")
    if "train_auc" in metrics:
        lines += ["", f"Train AUC {metrics['train_auc']:.4f} (a large gap to the held-out AUC would mean overfitting)."]
    if "test_positive_rate" in metrics:
        lines.append(f"Churn rate in the held-out split: {metrics['test_positive_rate']:.1%}; "
                     f"decision threshold {model.get('threshold', 0.5)}.")

    ranked = sorted(zip(model["feature_names"], model["weights"]), key=lambda t: (-abs(t[1]), t[0]))
    lines += [
        "",
        "## Top coefficients",
        "",
        "Weights apply to standardised features, so their sizes are comparable: "
        "a positive weight raises the churn probability.",
        "",
        "| feature | weight | effect |",
        "|---|---:|---|",
    ]
    for name, weight in ranked[:top]:
        effect = "more churn" if weight > 0 else "less churn"
        lines.append(f"| {name} | {weight:+.4f} | {effect} |")
    lines += ["", f"Bias (intercept): {model['bias']:+.4f}", ""]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Write reports/report.md for a trained churn model.")
    parser.add_argument("--model", type=Path, default=Path("models/churn.json"))
    parser.add_argument("--metrics", type=Path, default=Path("reports/metrics.json"))
    parser.add_argument("--out", type=Path, default=Path("reports/report.md"))
    parser.add_argument("--top", type=int, default=10, help="number of coefficients to list (default: 10)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    model = json.loads(args.model.read_text(encoding="utf-8"))
    metrics = json.loads(args.metrics.read_text(encoding="utf-8"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(model, metrics, args.top), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

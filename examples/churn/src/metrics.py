"""Binary classification metrics in pure Python."""

from __future__ import annotations

import math
from typing import Sequence

#: Probabilities are clipped to [EPS, 1 - EPS] before taking logs.
EPS = 1e-12


def log_loss(y_true: Sequence[int], y_prob: Sequence[float]) -> float:
    """Mean binary cross-entropy."""
    total = 0.0
    for y, p in zip(y_true, y_prob):
        p = min(max(p, EPS), 1.0 - EPS)
        total -= math.log(p) if y else math.log(1.0 - p)
    return total / len(y_true)


def roc_auc(y_true: Sequence[int], y_prob: Sequence[float]) -> float:
    """Area under the ROC curve via the rank statistic (Mann-Whitney U).

    AUC is the probability that a random positive scores higher than a random
    negative. Tied scores get their average rank, so ties count one half.
    Returns NaN when only one class is present.
    """
    n_pos = sum(1 for y in y_true if y)
    n_neg = len(y_true) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")

    order = sorted(range(len(y_prob)), key=lambda i: y_prob[i])
    ranks = [0.0] * len(y_prob)
    i = 0
    while i < len(order):
        # Find the run of tied scores [i, j) and give each the average rank.
        j = i
        while j < len(order) and y_prob[order[j]] == y_prob[order[i]]:
            j += 1
        average_rank = (i + 1 + j) / 2.0  # ranks are 1-based: mean of i+1 .. j
        for k in range(i, j):
            ranks[order[k]] = average_rank
        i = j

    rank_sum_pos = sum(r for r, y in zip(ranks, y_true) if y)
    u_statistic = rank_sum_pos - n_pos * (n_pos + 1) / 2.0
    return u_statistic / (n_pos * n_neg)


def confusion_matrix(
    y_true: Sequence[int], y_prob: Sequence[float], threshold: float = 0.5
) -> dict[str, int]:
    """Counts of true/false positives/negatives when predicting ``p >= threshold``."""
    counts = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    for y, p in zip(y_true, y_prob):
        predicted = p >= threshold
        if predicted and y:
            counts["tp"] += 1
        elif predicted:
            counts["fp"] += 1
        elif y:
            counts["fn"] += 1
        else:
            counts["tn"] += 1
    return counts


def classification_metrics(
    y_true: Sequence[int], y_prob: Sequence[float], threshold: float = 0.5
) -> dict[str, float]:
    """Accuracy, AUC, log loss, precision, recall and F1, rounded to 4 decimals."""
    if len(y_true) != len(y_prob) or not y_true:
        raise ValueError("y_true and y_prob must be non-empty and of equal length")
    c = confusion_matrix(y_true, y_prob, threshold)
    precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    values = {
        "accuracy": (c["tp"] + c["tn"]) / len(y_true),
        "auc": roc_auc(y_true, y_prob),
        "log_loss": log_loss(y_true, y_prob),
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }
    return {name: round(value, 4) for name, value in values.items()}

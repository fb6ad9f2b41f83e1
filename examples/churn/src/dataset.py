"""Small CSV and data-splitting helpers shared by the pipeline steps."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence


def read_csv(path: str | Path) -> list[dict[str, str]]:
    """Read a CSV file with a header row into a list of dicts (values stay strings)."""
    with Path(path).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path: str | Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """Write ``rows`` to ``path`` with the given column order, creating parent folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def to_float(value: Any) -> float:
    """Convert a CSV cell (number or boolean as text) to a float."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return 1.0 if lowered == "true" else 0.0
    return float(value)


def train_test_split(
    rows: Sequence[Any], test_fraction: float, seed: int
) -> tuple[list[Any], list[Any]]:
    """Shuffle ``rows`` deterministically with ``seed`` and split off a test set.

    The same (rows, test_fraction, seed) always gives the same split, which is
    how ``train.py`` and ``evaluate.py`` agree on the held-out customers.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    n_test = max(1, round(len(rows) * test_fraction))
    test = [rows[i] for i in sorted(order[:n_test])]
    train = [rows[i] for i in sorted(order[n_test:])]
    return train, test


def columns_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The keys of the first row, in order (empty list for no rows)."""
    for row in rows:
        return list(row.keys())
    return []

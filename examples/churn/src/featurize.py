"""Build the model's feature table from the raw CSVs written by ``ingest.py``.

Usage::

    python3 src/featurize.py --customers data/raw/customers.csv \\
        --transactions data/raw/transactions.csv --out data/features.csv

The output has one row per customer: ``customer_id``, the ``customer_stats``
features and, for training, the ``churned`` label.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping

# Make sibling modules importable even when this file is loaded by path
# (e.g. by the model store calling ``src/featurize.py:build_features``).
_SRC = str(Path(__file__).resolve().parent)
if _SRC not in sys.path:
    sys.path.insert(0, _SRC)

from dataset import read_csv, write_csv  # noqa: E402
from features import customer_stats  # noqa: E402
from features.customer_stats import parse_ts  # noqa: E402

LABEL = "churned"


def build_features(
    transactions: Iterable[Mapping[str, Any]],
    customers: Iterable[Mapping[str, Any]],
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    """Turn raw transactions and customers into model-ready feature rows.

    This is the ``featurize`` function registered with the model: it is what
    a caller runs on raw data before :func:`predict.predict`. It never reads
    or returns the label, so it is safe to use at serving time.
    """
    return customer_stats.compute(transactions, customers, as_of=as_of)


def attach_labels(rows: list[dict[str, Any]], customers: Iterable[Mapping[str, Any]]) -> None:
    """Add the ``churned`` label (as 0/1) to each feature row, in place."""
    labels = {c["customer_id"]: int(c[LABEL]) for c in customers}
    for row in rows:
        row[LABEL] = labels[row["customer_id"]]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Build data/features.csv from the raw CSVs.")
    parser.add_argument("--customers", type=Path, default=Path("data/raw/customers.csv"))
    parser.add_argument("--transactions", type=Path, default=Path("data/raw/transactions.csv"))
    parser.add_argument("--out", type=Path, default=Path("data/features.csv"))
    parser.add_argument("--as-of", type=parse_ts, default=None,
                        help="ISO timestamp the features describe (default: midnight after the last event)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    customers = read_csv(args.customers)
    transactions = read_csv(args.transactions)

    rows = build_features(transactions, customers, as_of=args.as_of)
    attach_labels(rows, customers)

    columns = ["customer_id", *customer_stats.FEATURES, LABEL]
    write_csv(args.out, rows, columns)
    print(f"wrote {len(rows)} rows x {len(customer_stats.FEATURES)} features to {args.out}")


if __name__ == "__main__":
    main()

"""Feature view ``customer_stats``: per-customer activity and spend statistics.

This is the transformation named in ``churn.features.yaml``
(``src/features/customer_stats.py:compute``). It is a pure function of its
inputs, used both when building the training table (``featurize.py``) and when
scoring new customers, so training and serving compute features identically.

All windows are point-in-time: only events strictly before ``as_of`` count,
so a feature can never see the future it is meant to predict.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

#: Length of the short window (matches the view's ``ttl: 30d``).
WINDOW = timedelta(days=30)
#: Length of the long window.
LONG_WINDOW = timedelta(days=90)

#: Feature names produced by :func:`compute`, in output order, with their
#: catalog types. Keep in sync with ``churn.features.yaml``.
FEATURES: dict[str, str] = {
    "tenure_days": "int64",
    "orders_30d": "int64",
    "orders_prev_30d": "int64",
    "orders_90d": "int64",
    "spend_30d": "float64",
    "avg_spend_30d": "float64",
    "spend_trend_30d": "float64",
    "days_since_last_order": "float64",
    "distinct_categories_30d": "int64",
}

_DAY_SECONDS = 86400.0


def parse_ts(value: str) -> datetime:
    """Parse an ISO 8601 timestamp (``...Z`` or with an offset) into an aware UTC datetime."""
    ts = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if ts.tzinfo is None:  # naive timestamps are taken to be UTC
        ts = ts.replace(tzinfo=timezone.utc)
    return ts.astimezone(timezone.utc)


def default_as_of(transactions: Iterable[Mapping[str, Any]]) -> datetime:
    """The midnight (UTC) following the latest event: the natural "now" of a batch."""
    latest = max((parse_ts(t["event_ts"]) for t in transactions), default=None)
    if latest is None:
        raise ValueError("cannot infer as_of from an empty transaction list; pass it explicitly")
    midnight = latest.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + timedelta(days=1)


def compute(
    transactions: Iterable[Mapping[str, Any]],
    customers: Iterable[Mapping[str, Any]],
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    """Compute the ``customer_stats`` features for every customer.

    Args:
        transactions: card events with at least ``customer_id``, ``event_ts``
            (ISO 8601), ``amount`` and ``category`` (e.g. rows of
            ``transactions.csv`` from :class:`csv.DictReader`).
        customers: the entity rows, with ``customer_id`` and ``signup_ts``.
            Every customer gets a feature row, even one without any event.
        as_of: the point in time the features describe. Defaults to the
            midnight after the latest event.

    Returns:
        One dict per customer, in input order: ``customer_id`` followed by the
        features listed in :data:`FEATURES` (floats rounded to 4 decimals).
    """
    transactions = list(transactions)
    if as_of is None:
        as_of = default_as_of(transactions)

    # Group the events that happened before as_of by customer: (ts, amount, category).
    events: dict[str, list[tuple[datetime, float, str]]] = defaultdict(list)
    for t in transactions:
        ts = parse_ts(t["event_ts"])
        if ts < as_of:
            events[t["customer_id"]].append((ts, float(t["amount"]), t["category"]))

    rows = []
    for customer in customers:
        customer_id = customer["customer_id"]
        signup = parse_ts(customer["signup_ts"])
        tenure_days = max(0, (as_of - signup).days)
        history = events.get(customer_id, [])

        recent = [e for e in history if e[0] >= as_of - WINDOW]
        previous = [e for e in history if as_of - 2 * WINDOW <= e[0] < as_of - WINDOW]
        long_window = [e for e in history if e[0] >= as_of - LONG_WINDOW]

        spend_30d = sum((e[1] for e in recent), 0.0)
        spend_prev_30d = sum((e[1] for e in previous), 0.0)
        if history:
            last = max(e[0] for e in history)
            days_since_last = (as_of - last).total_seconds() / _DAY_SECONDS
        else:
            days_since_last = float(tenure_days)  # never ordered: inactive since signup

        rows.append({
            "customer_id": customer_id,
            "tenure_days": tenure_days,
            "orders_30d": len(recent),
            "orders_prev_30d": len(previous),
            "orders_90d": len(long_window),
            "spend_30d": round(spend_30d, 4),
            "avg_spend_30d": round(spend_30d / len(recent), 4) if recent else 0.0,
            # Log-ratio of spend in the last 30 days vs. the 30 days before:
            # negative when the customer is slowing down.
            "spend_trend_30d": round(math.log1p(spend_30d) - math.log1p(spend_prev_30d), 4),
            "days_since_last_order": round(days_since_last, 4),
            "distinct_categories_30d": len({e[2] for e in recent}),
        })
    return rows

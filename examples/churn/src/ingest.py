"""Generate a synthetic, reproducible customer dataset for the churn example.

Two CSV files are written into the output folder:

``customers.csv``
    One row per customer: ``customer_id, signup_ts, plan, region, churned``.
    ``churned`` (0/1) is the label: did the customer cancel at the end of the
    observation window?

``transactions.csv``
    One row per card event: ``transaction_id, customer_id, event_ts, amount,
    category``, sorted by ``event_ts`` (ISO 8601, UTC).

How the data is made (the "hidden rule" the model has to rediscover):

* every customer has a latent engagement level (orders per day), a typical
  ticket size, a tenure and a number of unresolved support issues;
* the churn probability is a logistic function of low engagement, short
  tenure, the basic plan and support issues, plus Gaussian noise;
* customers who churn disengage before leaving: from a random day in the
  last two months their order rate (and spend) drops sharply;
* some loyal customers have a temporary lull too, and 3 % of the labels are
  flipped, so the problem is learnable but not trivial.

Everything is driven by one ``random.Random(seed)``, so the same arguments
always produce byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

#: End of the observation window. Fixed (not "today") so output is reproducible.
AS_OF = datetime(2024, 6, 1, tzinfo=timezone.utc)

PLANS = ("basic", "plus", "premium")
PLAN_WEIGHTS = (0.6, 0.3, 0.1)
REGIONS = ("north", "south", "east", "west")
CATEGORIES = ("grocery", "fuel", "dining", "online", "travel", "entertainment")

#: Fraction of labels flipped at random (label noise).
LABEL_NOISE = 0.03


@dataclass
class Customer:
    """Latent and observed attributes of one synthetic customer."""

    customer_id: str
    signup: datetime
    plan: str
    region: str
    order_rate: float  # expected orders per day while fully engaged
    ticket: float  # typical amount per order
    support_issues: int  # hidden: never written to disk
    churned: bool
    category_weights: list[float]


def format_ts(ts: datetime) -> str:
    """Format a UTC datetime as ISO 8601 with a ``Z`` suffix, to the second."""
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sigmoid(z: float) -> float:
    """Numerically safe logistic function."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def poisson(rng: random.Random, mean: float) -> int:
    """Draw from a Poisson distribution (Knuth's method; fine for small means)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def make_customer(rng: random.Random, index: int) -> Customer:
    """Draw one customer's attributes and decide (with noise) whether they churn."""
    tenure_days = 14 + min(int(rng.expovariate(1 / 400)), 2000)
    plan = rng.choices(PLANS, weights=PLAN_WEIGHTS)[0]
    # Engagement: log-normal around ~0.09 orders/day (about 11 orders in 120 days).
    order_rate = rng.lognormvariate(math.log(0.085), 0.6)
    ticket = rng.lognormvariate(math.log(35.0), 0.5)
    support_issues = poisson(rng, 0.6)

    # The hidden churn rule: a logistic model on latent traits plus noise.
    engagement_z = math.log(order_rate / 0.085) / 0.6  # ~ standard normal
    logit = (
        -1.5
        - 0.9 * engagement_z
        - 0.6 * (tenure_days > 365)
        + 0.5 * (plan == "basic")
        - 0.4 * (plan == "premium")
        + 0.45 * support_issues
        + rng.gauss(0.0, 0.8)
    )
    churned = rng.random() < sigmoid(logit)
    if rng.random() < LABEL_NOISE:
        churned = not churned

    # Each customer favours a few spending categories.
    category_weights = [rng.random() ** 2 for _ in CATEGORIES]

    return Customer(
        customer_id=f"C{index:05d}",
        signup=AS_OF - timedelta(days=tenure_days, seconds=rng.randrange(86400)),
        plan=plan,
        region=rng.choice(REGIONS),
        order_rate=order_rate,
        ticket=ticket,
        support_issues=support_issues,
        churned=churned,
        category_weights=category_weights,
    )


def make_events(
    rng: random.Random, customer: Customer, window_start: datetime
) -> list[tuple[datetime, str, float, str]]:
    """Simulate one customer's card events between ``window_start`` and ``AS_OF``.

    Events follow a Poisson process at ``customer.order_rate``; a piecewise
    activity multiplier thins it (disengagement before churn, or a temporary
    lull for some loyal customers). Returns ``(ts, customer_id, amount, category)``.
    """
    start = max(window_start, customer.signup)
    total_days = (AS_OF - start).total_seconds() / 86400
    if total_days <= 0:
        return []

    # (from_day, to_day, multiplier) relative to AS_OF, in days before it.
    slowdowns: list[tuple[float, float, float]] = []
    if customer.churned:
        # Disengage from a random day 7-60 days before the end of the window.
        slowdowns.append((rng.uniform(7, 60), 0.0, rng.uniform(0.0, 0.45)))
    elif rng.random() < 0.2:
        # A loyal customer's temporary lull (holidays, a competitor's promo...).
        begin = rng.uniform(10, 100)
        slowdowns.append((begin, max(0.0, begin - rng.uniform(10, 30)), 0.3))

    events = []
    t = 0.0  # days since start
    while True:
        t += rng.expovariate(customer.order_rate)
        if t >= total_days:
            break
        days_before_end = total_days - t
        multiplier = 1.0
        for begin, end, factor in slowdowns:
            if end <= days_before_end < begin:
                multiplier = factor
        if rng.random() >= multiplier:
            continue  # thinned away
        amount = customer.ticket * rng.lognormvariate(0.0, 0.35) * (0.8 if multiplier < 1 else 1.0)
        category = rng.choices(CATEGORIES, weights=customer.category_weights)[0]
        ts = start + timedelta(days=t)
        events.append((ts.replace(microsecond=0), customer.customer_id, round(amount, 2), category))
    return events


def generate(
    n_customers: int, days: int, seed: int
) -> tuple[list[Customer], list[tuple[datetime, str, float, str]]]:
    """Generate ``n_customers`` customers and their events over the last ``days`` days."""
    rng = random.Random(seed)
    window_start = AS_OF - timedelta(days=days)
    customers = [make_customer(rng, i + 1) for i in range(n_customers)]
    events = []
    for customer in customers:
        events.extend(make_events(rng, customer, window_start))
    events.sort(key=lambda e: (e[0], e[1]))
    return customers, events


def write_csvs(
    out_dir: Path,
    customers: list[Customer],
    events: list[tuple[datetime, str, float, str]],
) -> tuple[Path, Path]:
    """Write ``customers.csv`` and ``transactions.csv`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    customers_path = out_dir / "customers.csv"
    transactions_path = out_dir / "transactions.csv"

    with customers_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["customer_id", "signup_ts", "plan", "region", "churned"])
        for c in customers:
            writer.writerow([c.customer_id, format_ts(c.signup), c.plan, c.region, int(c.churned)])

    with transactions_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["transaction_id", "customer_id", "event_ts", "amount", "category"])
        for i, (ts, customer_id, amount, category) in enumerate(events, start=1):
            writer.writerow([f"T{i:07d}", customer_id, format_ts(ts), f"{amount:.2f}", category])

    return customers_path, transactions_path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/raw"),
                        help="output folder for customers.csv and transactions.csv (default: data/raw)")
    parser.add_argument("--customers", type=int, default=2000, help="number of customers (default: 2000)")
    parser.add_argument("--days", type=int, default=120, help="length of the observation window in days (default: 120)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    args = parser.parse_args(argv)
    if args.customers < 1 or args.days < 1:
        parser.error("--customers and --days must be positive")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    customers, events = generate(args.customers, args.days, args.seed)
    customers_path, transactions_path = write_csvs(args.out, customers, events)
    churn_rate = sum(c.churned for c in customers) / len(customers)
    print(f"wrote {len(customers)} customers to {customers_path} (churn rate {churn_rate:.1%})")
    print(f"wrote {len(events)} transactions to {transactions_path}")


if __name__ == "__main__":
    main()

/** The small project most LSP tests open: one pipeline, one feature catalog, one source file. */
export const PIPELINE = `version: 1
name: churn-train
description: Train the churn model.
params:
  lr: {type: number, default: 0.05, description: learning rate}
  epochs: 20
defaults:
  executor: local
tasks:
  ingest:
    description: Fetch raw events
    run: python src/ingest.py --out data/transactions.csv
    outputs: [data/transactions.csv]
  featurize:
    run: python src/featurize.py data/transactions.csv
    inputs: [data/transactions.csv]
    outputs: {table: data/features.csv}
    features: [customer_stats]
  train:
    run: python src/train.py --lr \${{ params.lr }} --epochs \${{ params.epochs }} --data \${{ tasks.featurize.outputs.table }}
    outputs: [models/model.json]
    resources: {cpu: "2", memory: 4Gi}
  report:
    needs: [train]
    run: python src/report.py
`;

export const CATALOG = `version: 1
project: churn
entities:
  customer: {join_keys: [customer_id], description: A paying account}
sources:
  transactions: {path: data/transactions.csv, timestamp_field: event_ts, description: Raw card events}
feature_views:
  customer_stats:
    description: Spend and order counts
    entities: [customer]
    source: transactions
    ttl: 30d
    transformation: src/features/customer_stats.py:compute
    owner: growth
    features:
      avg_spend_30d: {type: float64, description: Mean spend in the last 30 days}
      orders_30d: int64
`;

export const TRANSFORMATION = 'def compute(df):\n    return df\n';

export const PROJECT = {
  'churn.pipeline.yaml': PIPELINE,
  'churn.features.yaml': CATALOG,
  'src/features/customer_stats.py': TRANSFORMATION,
};

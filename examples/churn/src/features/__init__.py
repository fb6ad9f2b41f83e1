"""Feature transformations of the churn example, one module per feature view."""

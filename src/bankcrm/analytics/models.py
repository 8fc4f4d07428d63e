"""The analytics app computes and stores nothing of its own in the database: the customer_month
snapshot it writes is ``customers.models.CustomerMonth`` (docs/architecture.md), its lists are
campaigns' ``ListItem``; daily facts and rollups live in the Parquet warehouse."""

# The loans file is a warehouse fact (Parquet, core/warehouse.py), not a database table: no models yet.

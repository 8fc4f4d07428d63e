"""The two analytics engines behind one tiny interface (docs/adr/0301-metrics-one-sql-definition-sqlglot.md).

Every metric is ONE SQL text written in DuckDB's dialect (``definitions.py``). DuckDB runs it
as written; Spark runs the same text transpiled by sqlglot. An engine only knows how to expose
Parquet files as named views and how to return a query's result as an Arrow table.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import sqlglot
from django.conf import settings

SOURCE_DIALECT = "duckdb"


class Engine:
    name = "abstract"

    def register_parquet(
        self, view: str, paths: list[str], *, base: str | None = None, hive: dict | None = None, by_name: bool = False
    ):
        """Expose ``paths`` as ``view``; ``hive`` {column: sql_type} adds Hive partition columns under ``base``.

        ``by_name`` unites files whose columns differ (a partition written before a column was added
        to the warehouse lacks it: it reads as NULL)."""
        raise NotImplementedError

    def register_empty(self, view: str, columns: dict[str, str]) -> None:
        select = ", ".join(f"CAST(NULL AS {typ}) AS {col}" for col, typ in columns.items())
        self.create_view(view, f"SELECT {select} WHERE 1 = 0")

    def create_view(self, view: str, sql: str) -> None:
        raise NotImplementedError

    def register_table(self, view: str, table: pa.Table) -> None:
        """Expose a small in-memory table (read from the database for one query) as ``view``."""
        raise NotImplementedError

    def query(self, sql: str) -> pa.Table:
        raise NotImplementedError

    def close(self) -> None:
        pass


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self) -> None:
        import duckdb

        conf = settings.BANKCRM_METRICS
        tmp = Path(settings.BANKCRM_HOME) / "tmp" / "duckdb"
        tmp.mkdir(parents=True, exist_ok=True)
        config = {
            "memory_limit": str(conf.get("duckdb_memory_limit") or "8GB"),
            "temp_directory": str(tmp),
            # the snapshot query sorts its result itself; keeping scan order costs memory at 10M customers
            "preserve_insertion_order": False,
        }
        if conf.get("duckdb_threads"):
            config["threads"] = int(conf["duckdb_threads"])
        self.con = duckdb.connect(":memory:", config=config)

    def register_parquet(self, view, paths, *, base=None, hive=None, by_name=False):
        files = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
        union = ", union_by_name = true" if by_name else ""
        if hive:
            types = ", ".join(f"'{col}': '{typ}'" for col, typ in hive.items())
            src = f"read_parquet([{files}], hive_partitioning = true, hive_types = {{{types}}}{union})"
        else:
            src = f"read_parquet([{files}], hive_partitioning = false{union})"
        self.con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {src}")

    def create_view(self, view, sql):
        self.con.execute(f"CREATE OR REPLACE VIEW {view} AS {sql}")

    def register_table(self, view, table):
        self.con.register(view, table)

    def query(self, sql):
        return self.con.sql(sql).to_arrow_table()

    def close(self):
        self.con.close()


_spark_session = None


def spark_session():
    """One Spark session per process: ``spark-submit`` supplies master/config, else ``local[2]``.

    Set BANKCRM_SPARK_MASTER (e.g. ``yarn`` or ``spark://host:7077``) to point elsewhere.
    """
    global _spark_session
    if _spark_session is None:
        import os

        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("bankcrm-metrics")
        submitted = bool(os.environ.get("SPARK_ENV_LOADED"))  # under spark-submit: its --master/--conf rule
        if not submitted:
            builder = builder.master(os.environ.get("BANKCRM_SPARK_MASTER", "local[2]"))
        if not submitted or os.environ.get("BANKCRM_SPARK_SHUFFLE_PARTITIONS"):
            builder = builder.config(
                "spark.sql.shuffle.partitions", os.environ.get("BANKCRM_SPARK_SHUFFLE_PARTITIONS", "4")
            )
        warehouse = tempfile.mkdtemp(prefix="bankcrm-spark-warehouse-")  # saveAsTable refuses an existing dir
        _spark_session = (
            builder.config("spark.sql.session.timeZone", "UTC")  # txn_time is naive bank-local time: never shift it
            .config("spark.sql.warehouse.dir", warehouse)
            .config("spark.ui.enabled", str(submitted).lower())  # a cluster's operators want the UI
            .config("spark.ui.showConsoleProgress", "false")
            # list partition folders on the driver: a Spark job per listing costs more than it saves
            .config("spark.sql.sources.parallelPartitionDiscovery.threshold", "100000")
            .config("spark.sql.ansi.enabled", "true")  # overflow raises instead of wrapping
            .getOrCreate()
        )
        _spark_session.sparkContext.setLogLevel("ERROR")
    return _spark_session


class SparkEngine(Engine):
    name = "spark"

    def __init__(self) -> None:
        self.spark = spark_session()

    def register_parquet(self, view, paths, *, base=None, hive=None, by_name=False):
        reader = self.spark.read
        if by_name:
            reader = reader.option("mergeSchema", "true")
        if hive and base:
            reader = reader.option("basePath", base)
        df = reader.parquet(*paths)
        if hive:
            for col, typ in hive.items():
                df = df.withColumn(col, df[col].cast(typ.lower()))
        df.createOrReplaceTempView(view)

    def create_view(self, view, sql):
        self.spark.sql(self.transpile(sql)).createOrReplaceTempView(view)

    def register_table(self, view, table):
        self.spark.createDataFrame(table.to_pandas()).createOrReplaceTempView(view)

    @staticmethod
    def transpile(sql: str) -> str:
        return sqlglot.transpile(sql, read=SOURCE_DIALECT, write="spark")[0]

    def query(self, sql):
        return self.spark.sql(self.transpile(sql)).toArrow()


def get_engine(name: str) -> Engine:
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine()
    raise ValueError(f"unknown engine {name!r} (duckdb or spark)")

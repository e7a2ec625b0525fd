"""Benchmark datasets: schema, validation, the shipped default and synthetic datasets, and
readers for your own data (SAMs, MRIO tables, OECD ICIO, pymrio, GTAP), aggregation by
concordance and balancing (see docs/data.md, "Bring your own data")."""
from .schema import DataValidationError, validate, AGENTS, FACTORS
from .io import load_default, load, DEFAULT_DATASET
from .synthetic import synthetic_dataset
from .balance import BalanceError, BalanceReport, balance_sam, cross_entropy, ras
from .sam import from_sam, read_sam, sam_balance
from .aggregate import aggregate, aggregate_elasticities, read_concordance
from .mrio import from_icio, from_mrio, from_tables, read_icio
from .formats import FORMATS, describe, read_dataset
from .gtap import from_gtap
from .wiod import WIOD_YEARS, build_wiod, from_wiod, read_wiod, wiod_table
from .sea import macro_indices

__all__ = ["DataValidationError", "validate", "load_default", "load", "DEFAULT_DATASET",
           "synthetic_dataset", "AGENTS", "FACTORS", "BalanceError", "BalanceReport", "balance_sam",
           "cross_entropy", "ras", "from_sam", "read_sam", "sam_balance", "aggregate",
           "aggregate_elasticities", "read_concordance", "from_icio", "from_mrio", "from_tables",
           "read_icio", "FORMATS", "describe", "read_dataset", "from_gtap", "from_wiod",
           "read_wiod", "WIOD_YEARS", "build_wiod", "wiod_table", "macro_indices"]

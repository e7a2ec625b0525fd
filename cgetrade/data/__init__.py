"""Benchmark datasets: schema, validation, the shipped default and synthetic datasets."""
from .schema import DataValidationError, validate, AGENTS, FACTORS
from .io import load_default, load, DEFAULT_DATASET
from .synthetic import synthetic_dataset
from .balance import BalanceError, BalanceReport, balance_sam, cross_entropy, ras
from .sam import from_sam, read_sam, sam_balance

__all__ = ["DataValidationError", "validate", "load_default", "load", "DEFAULT_DATASET",
           "synthetic_dataset", "AGENTS", "FACTORS", "BalanceError", "BalanceReport", "balance_sam",
           "cross_entropy", "ras", "from_sam", "read_sam", "sam_balance"]

"""Benchmark datasets: schema, validation, the shipped default and synthetic datasets."""
from .schema import DataValidationError, validate, AGENTS, FACTORS
from .io import load_default, load, DEFAULT_DATASET
from .synthetic import synthetic_dataset

__all__ = ["DataValidationError", "validate", "load_default", "load", "DEFAULT_DATASET",
           "synthetic_dataset", "AGENTS", "FACTORS"]

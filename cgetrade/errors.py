"""Exception types (documented in docs/errors.md).

Every error cgetrade raises on purpose derives from :class:`CGETradeError`:

* :class:`InputError` (also a ``ValueError``): bad input, raised before any model is solved.
  Subclasses: ``DataValidationError`` (benchmark dataset: file, structure, accounting
  identities), ``ShockError`` (scenario files and shocks), :class:`ClosureError` (a closure
  that cannot be used with a dataset or has unknown labels), :class:`OptionsError` (other
  option files and arguments, e.g. elasticities).
* ``SolveError`` (also a ``RuntimeError``): no acceptable equilibrium was found; its subclass
  ``NoEquilibriumError`` names an economic cause (e.g. investment that would be negative).
"""
from __future__ import annotations

import difflib


class CGETradeError(Exception):
    """Base class of every error cgetrade raises on purpose."""


class InputError(CGETradeError, ValueError):
    """Bad input (dataset, scenario, closure, options), refused before any solve."""


class ClosureError(InputError):
    """A closure refers to unknown labels or cannot be used with the dataset."""


class OptionsError(InputError):
    """An option file or argument (elasticities, policy file, solver budget) is invalid."""


class ShockError(InputError):
    """A scenario file or shock is invalid: syntax, unknown keys or labels, impossible values."""


class MonetaryError(OptionsError):
    """A monetary regime, currency-area parameter or policy experiment is invalid (a rule or
    area parameter outside its admissible range, a peg chain, a start year before the base
    year), refused before any model is built."""


def suggest(word: str, known) -> str:
    """' (did you mean 'x'?)' for the closest known word, else ''."""
    close = difflib.get_close_matches(str(word), [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_keys(table: dict, known, where: str, error=InputError) -> None:
    """Refuse keys of a TOML table that are not in ``known``, suggesting the closest one."""
    for key in table:
        if key not in known:
            raise error(f"unknown key {key!r} in {where}{suggest(key, known)}; "
                        f"known keys: {', '.join(known)}")


def read_toml(path, error=InputError) -> dict:
    """Parse a TOML file; syntax errors and unreadable files become ``error`` with the file
    name (and line and column, from the TOML parser)."""
    from pathlib import Path
    import tomllib
    path = Path(path)
    if path.is_dir():
        raise error(f"{path} is a directory, not a TOML file")
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise error(f"file not found: {path}") from None
    except tomllib.TOMLDecodeError as err:
        raise error(f"TOML syntax error in {path.name}: {err}") from None
    except UnicodeDecodeError as err:
        raise error(f"{path.name} is not a UTF-8 text (TOML) file: {err}") from None
    except OSError as err:
        raise error(f"cannot read {path}: {err.strerror or err}") from None

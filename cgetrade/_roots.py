"""One-dimensional root finding on solved models (each evaluation is a model solve)."""
from __future__ import annotations


def secant(f, a: float, b: float, steps: int = 8, tol: float = 1e-6) -> float:
    """x with f(x) ~ 0 by secant steps from a and b; stops when |f| < tol or after ``steps``
    steps and returns the last iterate."""
    fa, fb = f(a), f(b)
    for _ in range(steps):
        a, b, fa = b, b - fb * (b - a) / (fb - fa), fb
        fb = f(b)
        if abs(fb) < tol:
            break
    return b

"""Valid ranges of every number a user can pass (URL, command line, environment).

One table, documented in docs/HARDENING.md ("Bounds"): outside its range a URL value falls
back to the default with a notice (:meth:`geo.filters.Filters.from_query_params`), a
command-line value stops the command with one line (:func:`bounded_int` /
:func:`bounded_float` as argparse types), an environment value falls back to its default.
"""

from __future__ import annotations

import argparse
import math

#: name -> (low, high, unit). Casualty bounds: the deadliest single events of the war are in
#: the hundreds; above a million is a typo or an attack. Distances: Ukraine is ~1,300 km wide.
BOUNDS: dict[str, tuple[float, float, str]] = {
    "casualties": (0, 1_000_000, "people"),
    "front_distance_km": (-5000.0, 5000.0, "km"),
    "threshold_km": (0.0, 5000.0, "km"),
    "band_km": (-5000.0, 5000.0, "km"),
    "buffer_km": (0.0, 1000.0, "km"),
}

_MAX_DIGITS = 32


def bounded_int(name: str):
    """Return an argparse ``type`` that accepts whole numbers within ``BOUNDS[name]``.

    Parameters
    ----------
    name : str
        Key of :data:`BOUNDS`.

    Returns
    -------
    callable
        Raises :class:`argparse.ArgumentTypeError` (a one-line error) outside the range.
    """
    return _bounded(name, int, "a whole number from {low:,.0f} to {high:,.0f}")


def bounded_float(name: str):
    """Return an argparse ``type`` that accepts finite numbers within ``BOUNDS[name]`` (see :func:`bounded_int`)."""
    return _bounded(name, float, "a number from {low:g} to {high:g}")


def _bounded(name: str, number, wanted: str):
    """Build the one range check of the command line: ``number(text)`` finite and within ``BOUNDS[name]``."""
    low, high, unit = BOUNDS[name]

    def parse(text: str):
        raw = str(text).strip()
        try:
            value = number(raw) if len(raw) <= _MAX_DIGITS else math.nan
        except (ValueError, OverflowError):
            value = math.nan
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {wanted.format(low=low, high=high)} ({unit}), got {raw[:40]!r}")
        return value

    return parse

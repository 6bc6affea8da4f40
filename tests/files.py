"""Test input files: where the real third-party data is read in place, and CSV files written from rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

#: ``/work/shared/data`` next to the repository (never copied into it; see its README).
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
#: The DeepStateMap snapshots of the shared data.
DEEPSTATE = SHARED_DATA / "frontlines" / "deepstate"
#: Skip a test when the shared DeepStateMap snapshots are not on this machine.
realdata = pytest.mark.skipif(not DEEPSTATE.exists(), reason="../shared/data not present")


def write_csv(path: Path, header: list[str], rows, encoding: str = "utf-8") -> Path:
    """Write ``header`` and ``rows`` as a CSV (``\\n`` line ends, quoted where needed) in ``encoding``; return ``path``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path

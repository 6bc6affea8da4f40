"""Running the app in tests: the synthetic data directory selected for a test module, and one AppTest run."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.synthetic_data import selected_data_dir, write_data_dir

ROOT = Path(__file__).resolve().parent.parent
#: What AppTest runs: app.py through an entry script in tests/ (no ``pages/`` folder beside it, so
#: Streamlit never takes the app for a legacy multipage app; see tests/app_entry.py).
APP = str(Path(__file__).resolve().parent / "app_entry.py")


def page_file(page: str) -> str:
    """Return the absolute path of ``page`` (named from the repository root, ``"pages/map.py"``), for
    ``AppTest.switch_page``, which resolves a relative path against the entry script's folder."""
    return str(ROOT / page)


def synthetic_data_dir(name: str):
    """Return a module-scoped, autouse fixture ``data_dir``: the synthetic data directory, selected
    through ``CONFLICTMAP_DATA`` while the module's tests run (``name``: its temporary folder)."""

    @pytest.fixture(scope="module", autouse=True)
    def data_dir(tmp_path_factory):
        directory = write_data_dir(tmp_path_factory.mktemp(name) / "data")
        with selected_data_dir(directory):
            yield directory

    return data_dir


def run_app(timeout: float = 60, **params) -> AppTest:
    """Run app.py (through the entry script) once with ``params`` in the URL and return the finished AppTest."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()

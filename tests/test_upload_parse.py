"""Uploads: the date-order choice and the column-mapping summary reach the user (inside a real Streamlit script)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.synthetic_data import write_data_dir

AMBIGUOUS = (
    "entry,date,title,town/city,lat,lon,arms/munition\n"
    "1,03/04/2022,Shelling of a hospital,Kharkiv,49.99,36.23,\n"
    "2,05/01/2022,Missile strike on a railway station,Dnipro,48.46,35.04,Iskander\n"
    "3,02/11/2022,обстріл лікарні,Kyiv,50.45,30.52,\n"
)


def _upload_script():
    import os
    from pathlib import Path

    import streamlit as st

    from ui.uploads import import_files

    data = Path(os.environ["CM_TEST_UPLOAD_FILE"]).read_bytes()
    try:
        summary = import_files([("events.csv", data)], "auto", "instead", os.environ["CM_TEST_DATE_ORDER"])
    except ValueError as exc:
        st.error(str(exc))
    else:
        st.write(f"imported={summary['imported']}")
        for message in summary["messages"]:
            st.caption(message)


@pytest.mark.parametrize("order", ["auto", "dayfirst", "monthfirst"])
def test_upload_date_order_choice_and_mapping_summary(tmp_path, monkeypatch, order):
    """Auto stops with the column and the choice to make; a chosen order imports every row."""
    monkeypatch.setenv("CONFLICTMAP_DATA", str(write_data_dir(tmp_path / "data")))
    upload = tmp_path / "events.csv"
    upload.write_text(AMBIGUOUS, encoding="utf-8")
    monkeypatch.setenv("CM_TEST_UPLOAD_FILE", str(upload))
    monkeypatch.setenv("CM_TEST_DATE_ORDER", order)
    at = AppTest.from_function(_upload_script, default_timeout=60).run()
    assert not at.exception
    if order == "auto":
        assert len(at.error) == 1
        assert "'date'" in at.error[0].value and "03/04/2022" in at.error[0].value
        assert "date order in the upload form" in at.error[0].value
        return
    assert not at.error
    assert "imported=3" in [m.value for m in at.markdown]
    captions = " ".join(c.value for c in at.caption)
    assert "column mapping" in captions and "town/city → location" in captions
    assert "arms/munition → weapon_raw" in captions

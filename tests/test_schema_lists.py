"""coerce_incidents: the list columns, on each path (lists kept, Parquet arrays converted in one pass, mixed)."""

import numpy as np
import pandas as pd

from geo.schema import IMPORT_COLUMNS, _as_list, coerce_incidents


def _frame(targets) -> pd.DataFrame:
    n = len(targets)
    return pd.DataFrame({"incident_id": [f"i{k}" for k in range(n)], "target_types": targets,
                         "weapons": [["missile"]] * n})


def test_lists_are_kept_as_they_are():
    targets = [["residential"], [], ["energy", "transport"]]
    frame = _frame(pd.Series(targets, dtype=object))
    out = coerce_incidents(frame, IMPORT_COLUMNS)
    assert out["target_types"].tolist() == targets
    assert out["source_urls"].tolist() == [[], [], []]  # missing column: empty lists


def test_arrays_read_back_from_parquet_become_lists_of_str():
    arrays = [np.array(["residential", "energy"], dtype=object), np.array([], dtype=object),
              np.array(["transport"], dtype=object), np.array([1.5, 2.0])]
    frame = _frame(pd.Series(arrays, dtype=object))
    out = coerce_incidents(frame, IMPORT_COLUMNS)["target_types"].tolist()
    assert out == [["residential", "energy"], [], ["transport"], ["1.5", "2.0"]]
    assert out == [_as_list(v) for v in arrays]
    assert all(type(v) is list and all(type(x) is str for x in v) for v in out)
    # each row gets its own list
    out[1].append("x")
    assert out[0] == ["residential", "energy"] and out[2] == ["transport"]


def test_all_empty_arrays_and_mixed_values():
    frame = _frame(pd.Series([np.array([], dtype=object)] * 3, dtype=object))
    assert coerce_incidents(frame, IMPORT_COLUMNS)["target_types"].tolist() == [[], [], []]
    mixed = pd.Series([np.array(["energy"], dtype=object), None, "a | b", '["c"]', ["d"], float("nan")], dtype=object)
    out = coerce_incidents(_frame(mixed), IMPORT_COLUMNS)["target_types"].tolist()
    assert out == [["energy"], [], ["a", "b"], ["c"], ["d"], []]


def test_parquet_round_trip(tmp_path):
    frame = coerce_incidents(_frame(pd.Series([["a", "b"], [], ["c"]], dtype=object)), IMPORT_COLUMNS)
    path = tmp_path / "t.parquet"
    frame[["incident_id", "target_types"]].to_parquet(path)
    back = coerce_incidents(pd.read_parquet(path), IMPORT_COLUMNS)
    assert back["target_types"].tolist() == [["a", "b"], [], ["c"]]


def test_keep_arrays_leaves_parquet_list_arrays_and_writes_the_same_file(tmp_path):
    """coerce_incidents(keep_arrays=True) keeps arrays read back from Parquet; the file written back is equal."""
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    from geo.datadir import read_incidents_table, write_incidents
    from geo.schema import ALL_COLUMNS, coerce_incidents

    frame = pd.DataFrame({"incident_id": ["a:1", "a:2", "a:3"], "source": "generic", "source_id": ["1", "2", "3"],
                          "date": pd.to_datetime(["2023-01-01", "2023-01-02", "2023-01-03"]),
                          "lon": [30.5, 31.0, 36.2], "lat": [50.4, 49.0, 49.9],
                          "target_types": [["residential", "energy"], [], ["military"]],
                          "weapons": [[], ["drone"], ["missile", "drone"]], "source_urls": [[], [], ["https://x.org/1"]]})
    first = tmp_path / "one"
    first.mkdir()
    write_incidents(first, frame)
    back = read_incidents_table(first / "incidents.parquet")
    assert all(isinstance(v, np.ndarray) for v in back["target_types"])
    kept = coerce_incidents(back, ALL_COLUMNS, keep_arrays=True)
    assert all(isinstance(v, np.ndarray) for v in kept["weapons"])
    lists = coerce_incidents(back, ALL_COLUMNS)
    assert lists["weapons"].tolist() == [[], ["drone"], ["missile", "drone"]]
    second = tmp_path / "two"
    second.mkdir()
    write_incidents(second, back)
    a, b = pq.read_table(first / "incidents.parquet"), pq.read_table(second / "incidents.parquet")
    assert a.equals(b) and a.schema.equals(b.schema, check_metadata=True)
    # values that are not arrays (text, None) are still converted
    mixed = back.copy()
    mixed["weapons"] = pd.Series(["drone | missile", None, np.array(["drone"], dtype=object)], dtype=object)
    assert coerce_incidents(mixed, ALL_COLUMNS, keep_arrays=True)["weapons"].tolist() == [["drone", "missile"], [], ["drone"]]

"""The part every importer shares: checks, quarantine, ids, and the ``extra`` JSON column.

A source module turns its file into :class:`StagedRows` (canonical columns,
with date, coordinates and casualty counts still raw) and :func:`finalise`
parses and checks those, quarantines the failures with a reason, and returns
a :class:`geo.schema.ImportResult` whose rows pass
:func:`geo.schema.validate_incidents`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.i18n import N_, Message
from geo.parsing import (
    AmbiguousDateOrder,
    CsvTable,
    missing_mask,
    parse_coordinates,
    parse_counts,
    parse_dates,
    read_csv_table,
)
from geo.schema import (
    IMPORT_COLUMNS,
    LIST_COLUMNS,
    QUARANTINE_COLUMNS,
    ImportResult,
    UnreadableFileError,
    coerce_incidents,
    empty_quarantine,
)

EARLIEST_DATE = pd.Timestamp("1991-08-24")
RAW_FIELDS = ("date", "lat", "lon", "killed", "injured")


@dataclass
class StagedRows:
    """Rows of one input file mapped onto the canonical columns, not yet checked.

    Attributes
    ----------
    file : str
        File name shown in the quarantine and messages.
    source : str
        Source key (the ``incident_id`` prefix).
    fields : pandas.DataFrame
        Canonical columns; ``date``, ``lat``, ``lon``, ``killed``, ``injured``
        hold the raw values; ``source_id`` may be NA (quarantined as missing_id).
    raw : pandas.DataFrame or list of dict
        The original rows, aligned with ``fields``, for the quarantine file.
    row_numbers : numpy.ndarray
        1-based row number of each row in its file (data rows; header excluded).
    columns : dict
        Canonical field -> the source's column name, for quarantine details.
    rows_read : int
        Rows read from the file, including ``pre_quarantine``.
    pre_quarantine : list of dict
        Rows already rejected while reading (e.g. wrong number of fields),
        with the keys of :data:`geo.schema.QUARANTINE_COLUMNS`.
    messages : list of str
        Notes for the user.
    date_formats : sequence of str, optional
        Formats to try first for this source's dates.
    date_order : {"dayfirst", "monthfirst"}, optional
        Read numeric dates in this order (the user's ``--dayfirst`` / ``--monthfirst``).
    default_date_order : {"dayfirst", "monthfirst"}, optional
        The publisher's documented order, used only when the values leave it open.
    pending : dict, optional
        Columns of ``fields`` still being built on another thread (name -> future of the
        column); the checks run meanwhile and take them when they keep the good rows.
    """

    file: str
    source: str
    fields: pd.DataFrame
    raw: pd.DataFrame | list
    row_numbers: np.ndarray
    columns: dict[str, str]
    rows_read: int
    pre_quarantine: list[dict] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    date_formats: Sequence[str] | None = None
    date_order: str | None = None
    default_date_order: str | None = None
    pending: dict = field(default_factory=dict)


def blank_to_na(values) -> pd.Series:
    """Return text with surrounding space removed and blank cells as missing.

    Parameters
    ----------
    values : array-like
        Cells of one column.

    Returns
    -------
    pandas.Series
        ``str`` dtype; "" and all-space cells are NA.
    """
    text = strip_text(values)
    blank = text == ""
    return text.mask(blank) if blank.any() else text


def strip_text(values) -> pd.Series:
    """Return text with surrounding space removed, as ``str.strip()`` does, keeping the input when nothing changed.

    Stripping only removes characters, so when the stripped column holds as many bytes
    as the input no cell changed, and the input's own array is returned (the copy is
    dropped: staged columns then share their memory with the rows as read).

    Parameters
    ----------
    values : array-like
        Text cells (converted to ``str`` first).

    Returns
    -------
    pandas.Series
        The stripped column; the input's own array when no cell needed it.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pd.Series(values, dtype="str")
    stripped = text.str.strip()
    if not len(text):
        return stripped

    def size(series: pd.Series) -> int:
        return pc.sum(pc.binary_length(pa.array(series, from_pandas=True))).as_py() or 0

    return text if size(stripped) == size(text) else stripped


def map_text(values, table: dict[str, str]) -> pd.Series:
    """Return ``table[value]`` per cell (NaN where the table has no entry), looked up once per distinct value.

    Parameters
    ----------
    values : array-like
        Cells of one column (``str``).
    table : dict
        Value -> result.

    Returns
    -------
    pandas.Series
        Like ``pd.Series(values, dtype="str").map(table)``.
    """
    text = pd.Series(values, dtype="str")
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    return _take_uniques(pd.Series(uniques, dtype="str").map(table), codes, text.index)


def _take_uniques(mapped: pd.Series, codes: np.ndarray, index) -> pd.Series:
    """Spread per-distinct-value results back to the rows (NaN for missing cells), Arrow-backed for text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(mapped.dtype, pd.StringDtype):
        indices = pa.array(codes, mask=codes < 0, type=pa.int64())
        taken = pc.take(pa.array(mapped, from_pandas=True).cast(pa.large_string()), indices)
        return pd.Series(pd.arrays.ArrowStringArray(taken), index=index).astype(mapped.dtype)
    values = mapped.to_numpy(dtype=object) if len(mapped) else np.empty(1, dtype=object)
    taken = np.where(codes >= 0, values[np.maximum(codes, 0)] if len(mapped) else None, None)
    return pd.Series(taken, index=index).astype(mapped.dtype)


@dataclass
class NamedCsv:
    """A publisher CSV whose columns are matched case-insensitively (:func:`read_named_csv`)."""

    path: Path
    table: CsvTable
    #: case-folded column name -> the file's spelling.
    lookup: dict[str, str]

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as read (every cell text)."""
        return self.table.frame

    def col(self, name: str) -> pd.Series:
        """Return the column named ``name`` in any case, or blank cells when the file has none.

        Parameters
        ----------
        name : str
            Lower-case column name.

        Returns
        -------
        pandas.Series
            The column (``str`` dtype).
        """
        frame = self.table.frame
        return frame[self.lookup[name]] if name in self.lookup else pd.Series([""] * len(frame), dtype="str")

    def staged(self, source: str, fields: pd.DataFrame, columns: dict[str, str], date_formats: Sequence[str],
               messages: list[str] | None = None, raw: pd.DataFrame | None = None, **options) -> StagedRows:
        """Return the staged rows of this file: its fields, raw rows, row numbers and malformed records.

        Parameters
        ----------
        source : str
            Source key.
        fields : pandas.DataFrame
            The canonical fields, one row per CSV record.
        columns : dict
            Canonical field -> the lower-case column it comes from (named in the file's own spelling
            in quarantine messages). A raw field (date, coordinates, casualty counts) that ``fields``
            does not hold is taken from its column here, as read.
        date_formats : sequence of str
            Formats to try first for the dates.
        messages : list of str, optional
            Notes for the user (default: the reader's).
        raw : pandas.DataFrame, optional
            The rows as read, to keep for the quarantine (default: the reader's frame; an
            importer may pass the same rows held more compactly, see :func:`restore_rows`).
        **options
            More :class:`StagedRows` fields (``default_date_order``).

        Returns
        -------
        StagedRows
            Unchecked rows.
        """
        table, name = self.table, self.path.name
        raw = table.frame if raw is None else raw
        missing = [f for f in RAW_FIELDS if f in columns and f not in fields.columns]
        if missing:
            fields = fields.assign(**{f: self.col(columns[f]) for f in missing})
        columns = {field_name: self.lookup.get(column, column) for field_name, column in columns.items()}
        return StagedRows(
            file=name, source=source, fields=fields, raw=raw, row_numbers=table.row_numbers, columns=columns,
            rows_read=table.rows_read, pre_quarantine=malformed_records(name, source, table.malformed, list(raw.columns)),
            messages=list(table.messages) if messages is None else messages, date_formats=date_formats, **options,
        )


def read_named_csv(path: Path, required: Sequence[str], what: str, max_rows: int | None = None,
                   max_bytes: int | None = None, aliases: dict[str, str] | None = None) -> NamedCsv:
    """Read a publisher's CSV export and refuse it, in one line, when a required column is missing.

    Parameters
    ----------
    path : Path
        The CSV.
    required : sequence of str
        Lower-case column names the format cannot do without.
    what : str
        The format, for the refusal ("an ACLED export").
    max_rows, max_bytes : int, optional
        Limits (see :func:`geo.parsing.read_csv_table`).
    aliases : dict, optional
        Column -> another name it may have in older exports (used when the column itself is absent).

    Returns
    -------
    NamedCsv
        The table and its case-insensitive column lookup.

    Raises
    ------
    geo.schema.UnreadableFileError
        A required column is missing (the message points at ``--format generic``).
    """
    path = Path(path)
    table = read_csv_table(path, max_rows=max_rows, max_bytes=max_bytes)
    lookup = {c.casefold(): c for c in table.frame.columns}
    for name, alias in (aliases or {}).items():
        if name not in lookup and alias in lookup:
            lookup[name] = lookup[alias]
    missing = [c for c in required if c not in lookup]
    if missing:
        raise UnreadableFileError(N_("{name}: not {what}, the columns {columns} are missing. Import it with "
                                     "--format generic and a column mapping."),
                                  name=path.name, what=Message(what), columns=", ".join(missing))
    return NamedCsv(path, table, lookup)


def code_text(values) -> pd.Series:
    """Return a numeric code column as integer text ("2", "2.0", " 2 " -> "2").

    Parameters
    ----------
    values : pandas.Series
        Publisher codes as read (spreadsheets save whole numbers as ``2.0``).

    Returns
    -------
    pandas.Series
        ``str`` dtype.
    """
    return strip_text(values).str.replace(r"\.0+$", "", regex=True)


def map_codes(values, table: dict[str, str]) -> pd.Series:
    """Return the canonical value of each publisher code through ``table``; "unknown" for a code it lacks.

    Parameters
    ----------
    values : pandas.Series
        Publisher codes (see :func:`code_text`).
    table : dict
        Code -> canonical value.

    Returns
    -------
    pandas.Series
        Canonical values.
    """
    text = pd.Series(values, dtype="str")
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    mapped = code_text(pd.Series(uniques, dtype="str")).map(table)
    return _take_uniques(mapped, codes, text.index).fillna("unknown")


def same_list(n: int, value: list | None = None) -> np.ndarray:
    """Return an object array of ``n`` references to one list (read-only by convention).

    Parameters
    ----------
    n : int
        Length.
    value : list, optional
        The shared list (empty by default).

    Returns
    -------
    numpy.ndarray
        Object array.
    """
    out = np.empty(n, dtype=object)
    out.fill(list(value or []))
    return out


def malformed_records(file: str, source: str, rows: list[tuple[int, list[str], str]], header: list[str]) -> list[dict]:
    """Quarantine records for rows that could not be split into the header's columns.

    Parameters
    ----------
    file : str
        File name.
    source : str
        Source key.
    rows : list of (int, list of str, str)
        Row number, fields, detail (as in :class:`geo.parsing.CsvTable`).
    header : list of str
        Column names.

    Returns
    -------
    list of dict
        Quarantine records with reason ``row_malformed``.
    """
    out = []
    for number, fields, detail in rows:
        original = dict(zip(header, fields, strict=False))
        if len(fields) > len(header):
            original["_extra_fields"] = fields[len(header):]
        out.append(
            {"file": file, "row_number": number, "source": source, "reason": "row_malformed",
             "detail": f"{detail}; check the quotes and delimiters of this row", "original": to_json(original)}
        )
    return out


def _clean_for_json(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None if math.isnan(value) else str(value)
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, dict):
        return {str(k): _clean_for_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_for_json(v) for v in value]
    if isinstance(value, np.generic):
        return _clean_for_json(value.item())
    if isinstance(value, (pd.Timestamp, dt.date, dt.datetime)):
        return value.isoformat()
    return value


def to_json(value) -> str:
    """Serialise a row (dict) to JSON text, NaN as null and unknown types as strings.

    Parameters
    ----------
    value : object
        Usually a dict of column -> value.

    Returns
    -------
    str
        Compact JSON, non-ASCII kept.
    """
    return json.dumps(_clean_for_json(value), ensure_ascii=False, default=str, allow_nan=False, separators=(",", ":"))


def _literals_of(arr):
    """JSON literals for an Arrow string array (nulls stay null)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pc.any(pc.match_substring_regex(arr, r'["\\\x00-\x1f]')).as_py():
        for old, new in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
            arr = pc.replace_substring(arr, old, new)
        odd = pc.fill_null(pc.match_substring_regex(arr, r"[\x00-\x1f]"), False)
        if pc.any(odd).as_py():
            values_list = arr.to_pylist()
            for i in np.flatnonzero(odd.to_numpy(zero_copy_only=False)):
                values_list[i] = json.dumps(values_list[i], ensure_ascii=False)[1:-1]
            arr = pa.array(values_list, type=pa.large_string())
    quote = pa.scalar('"', pa.large_string())
    return pc.binary_join_element_wise(quote, arr, quote, pa.scalar("", pa.large_string()))


#: Rows per batch when ``extra`` is assembled: the per-column literals of one batch at a time are alive.
EXTRA_BATCH_ROWS = 1 << 16


def _json_literals(values: pd.Series, keep_empty: bool = False, encoding: list | None = None):
    """Return the distinct values of a column as JSON literals, and each row's index into them.

    The column is dictionary-encoded once (nulls included), so each distinct value
    is escaped once; rows then take their literal from the small dictionary.

    Returns
    -------
    (pyarrow.Array, numpy.ndarray) or None
        Literals (no nulls: a missing value is ``null``; so is "" unless
        ``keep_empty``) and int32 indices, one per row; None when no row has a value
        (the column is left out). ``encoding``, when given, receives the column's distinct
        values and those indices.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values.astype("str"), from_pandas=True)
    if isinstance(arr, pa.Array):
        arr = pa.chunked_array([arr])
    arr = arr.cast(pa.large_string())
    encoded = arr.dictionary_encode(null_encoding="encode")
    if encoded.num_chunks:
        dictionary = encoded.chunk(0).dictionary
        indices = np.concatenate([chunk.indices.to_numpy(zero_copy_only=False) for chunk in encoded.chunks])
    else:
        dictionary, indices = pa.array([], pa.large_string()), np.empty(0, dtype=np.int32)
    if encoding is not None:
        encoding.extend((dictionary, indices))
    if not keep_empty:
        dictionary = pc.if_else(pc.equal(dictionary, ""), pa.scalar(None, pa.large_string()), dictionary)
        if dictionary.null_count == len(dictionary):
            return None
    literals = pc.fill_null(_literals_of(dictionary), pa.scalar("null", pa.large_string()))
    return literals, indices


def _merge_pieces(first, second, limit: int):
    """Fuse two adjacent ``(literals, codes)`` pieces into one when their value pairs are few, else None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    (left, left_codes), (right, right_codes) = first, second
    width = len(right)
    if len(left) > limit or width > limit:
        return None
    pairs = left_codes.astype(np.int64) * width + right_codes
    if len(left) * width <= limit:
        codes, wanted = pairs, np.arange(len(left) * width, dtype=np.int64)
    else:
        codes, wanted = pd.factorize(pairs)
        if len(wanted) > limit:
            return None
    table = pc.binary_join_element_wise(pc.take(left, pa.array(wanted // width)), pc.take(right, pa.array(wanted % width)),
                                        pa.scalar("", pa.large_string()))
    return table, codes


def build_extra(frame: pd.DataFrame | dict, columns: Sequence[str], keep_empty: bool = False,
                encodings: dict | None = None, index: pd.Index | None = None) -> pd.Series:
    """Build the ``extra`` JSON object per row from ``columns`` of ``frame``, vectorised.

    Columns that are empty in every row are left out; an empty cell becomes
    ``null``. Keys keep the publisher's column names. Each column's distinct
    values are escaped once, with their key in front; adjacent columns whose
    value combinations are few (codes, regions, actors) are fused into one
    table of combinations, so a row is assembled from a few pieces. Rows are
    assembled in batches of :data:`EXTRA_BATCH_ROWS`, so only one batch's
    pieces are in memory at a time.

    Parameters
    ----------
    frame : pandas.DataFrame or dict
        Source rows (string columns), or a dict of column -> values that is consumed: a
        column that :func:`restore_rows` can rebuild from its encoding is removed from the
        dict once encoded, so its text can be freed before the rows are assembled.
    columns : sequence of str
        Columns without a canonical home.
    keep_empty : bool
        Keep every column and empty strings as they are (for the quarantine's
        faithful copy of a row) instead of dropping empty columns and writing null.
    encodings : dict, optional
        Filled with column -> (distinct values, int32 index of each row into them), the
        dictionary encoding computed on the way (see :func:`restore_rows`).
    index : pandas.Index, optional
        Index of the result when ``frame`` is a dict (default: that of its first column).

    Returns
    -------
    pandas.Series
        JSON object strings (``"{}"`` when nothing is left), Arrow-backed.
    """
    return assemble_extra(extra_pieces(frame, columns, keep_empty, encodings, index))


def extra_pieces(frame: pd.DataFrame | dict, columns: Sequence[str], keep_empty: bool = False,
                 encodings: dict | None = None, index: pd.Index | None = None) -> tuple:
    """Encode the columns of :func:`build_extra` (its first half; :func:`assemble_extra` is the second).

    Parameters
    ----------
    frame, columns, keep_empty, encodings, index
        As for :func:`build_extra`.

    Returns
    -------
    tuple
        What :func:`assemble_extra` takes: the pieces of the JSON objects and the index of the rows.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    consume = isinstance(frame, dict)
    if index is None:
        index = frame.index if not consume else next(iter(frame.values())).index if frame else pd.RangeIndex(0)
    n = len(index)
    nothing = pa.scalar("", pa.large_string())
    limit = max(1024, n // 16)
    pieces: list = []
    for name in columns:
        encoding = [] if encodings is not None else None
        literal = _json_literals(frame[name], keep_empty, encoding)
        if encoding:
            encodings[name] = tuple(encoding)
            if consume and _rebuildable(encoding[0], n):
                del frame[name]
        if literal is None:
            continue
        key = ("," if pieces else "{") + json.dumps(str(name), ensure_ascii=False) + ":"
        piece = (pc.binary_join_element_wise(pa.scalar(key, pa.large_string()), literal[0], nothing), literal[1])
        merged = _merge_pieces(pieces[-1], piece, limit) if pieces else None
        if merged is None:
            pieces.append(piece)
        else:
            pieces[-1] = merged
    return pieces, index


def assemble_extra(encoded: tuple) -> pd.Series:
    """Assemble the ``extra`` JSON objects from :func:`extra_pieces` (the second half of :func:`build_extra`).

    Parameters
    ----------
    encoded : tuple
        The result of :func:`extra_pieces`.

    Returns
    -------
    pandas.Series
        As :func:`build_extra` returns.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces, index = encoded
    n = len(index)
    nothing = pa.scalar("", pa.large_string())
    if not pieces:
        return pd.Series(["{}"] * n, dtype="string", index=index)
    close = pa.scalar("}", pa.large_string())

    def assemble(start: int):
        parts = [pc.take(table, pa.array(codes[start:start + EXTRA_BATCH_ROWS])) for table, codes in pieces]
        return pc.binary_join_element_wise(*parts, close, nothing)

    starts = range(0, n, EXTRA_BATCH_ROWS)
    if len(starts) > 1:
        from concurrent.futures import ThreadPoolExecutor

        # Arrow's take and join release the GIL: two threads use both cores (two batches alive at a time).
        with ThreadPoolExecutor(max_workers=2) as pool:
            chunks = list(pool.map(assemble, starts))
    else:
        chunks = [assemble(start) for start in starts]
    joined = pa.chunked_array(chunks, type=pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(joined), index=index)


def _rebuildable(dictionary, n: int) -> bool:
    """Whether a column is worth keeping as its dictionary encoding (no missing cells, few distinct values)."""
    return not dictionary.null_count and len(dictionary) * 4 <= n


def restore_rows(names: Sequence[str], kept: pd.DataFrame, left: dict, encodings: dict) -> pd.DataFrame:
    """Put the rows as read back together after :func:`build_extra` consumed some of their columns.

    A publisher's code and name columns (regions, actors, event types) repeat a few values
    over a million rows; once their ``extra`` JSON is built they are only read again for the
    quarantine's copy of a rejected row and for the date-order hints, so they come back as
    categoricals (a small index per row into their distinct values, the encoding
    :func:`build_extra` computed) instead of a million texts. The values are the same.

    Parameters
    ----------
    names : sequence of str
        Every column, in the file's order.
    kept : pandas.DataFrame
        The columns that were not handed to :func:`build_extra`.
    left : dict
        What :func:`build_extra` left of the dict it was given (the columns it did not consume).
    encodings : dict
        Column -> (distinct values, int32 index per row), from :func:`build_extra`.

    Returns
    -------
    pandas.DataFrame
        The rows, one column per name, with the index of ``kept``.
    """
    import pyarrow as pa

    columns = {}
    for name in names:
        if name in kept.columns:
            columns[name] = kept[name]
        elif name in left:
            columns[name] = left[name]
        else:
            dictionary, indices = encodings[name]
            categories = pd.Index(pd.arrays.ArrowStringArray(dictionary.cast(pa.large_string())), dtype="str")
            columns[name] = pd.Series(pd.Categorical.from_codes(indices, categories=categories), index=kept.index)
    return pd.DataFrame(columns, columns=list(names), index=kept.index, copy=False)


def _plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn the categorical columns of :func:`restore_rows` back into text."""
    return frame.astype({name: t.categories.dtype for name, t in frame.dtypes.items() if isinstance(t, pd.CategoricalDtype)})


def content_ids(records: pd.DataFrame | list, prefix: str = "sha1-") -> np.ndarray:
    """Derive stable ids for rows that have none: a SHA-1 of their content.

    Parameters
    ----------
    records : pandas.DataFrame or list of dict
        The original rows.
    prefix : str
        Marks the id as derived.

    Returns
    -------
    numpy.ndarray
        ``prefix`` + 16 hex digits per row; identical rows get identical ids
        (and the second is then quarantined as ``duplicate_id``).
    """
    if isinstance(records, pd.DataFrame):
        rows = records.astype("str").fillna("").to_numpy().tolist()
        texts = ["\x1f".join(r) for r in rows]
    else:
        texts = [json.dumps(_clean_for_json(r), sort_keys=True, ensure_ascii=False, default=str) for r in records]
    return np.asarray([prefix + hashlib.sha1(t.encode("utf-8")).hexdigest()[:16] for t in texts], dtype=object)


def _take_chunked(values, idx: np.ndarray):
    """Rows ``idx`` of an Arrow chunked array, taken chunk by chunk (Arrow's own take concatenates every chunk first)."""
    import pyarrow as pa

    lengths = np.fromiter((len(c) for c in values.chunks), dtype=np.int64, count=values.num_chunks)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    which = np.searchsorted(bounds, idx, side="right") - 1
    order = np.argsort(which, kind="stable")
    pieces = []
    for k in np.unique(which):
        chosen = order[which[order] == k]
        pieces.append(values.chunk(int(k)).take(pa.array(idx[chosen] - bounds[k])))
    inverse = np.empty(len(idx), dtype=np.int64)
    inverse[order] = np.arange(len(idx))
    return pa.concat_arrays(pieces).take(pa.array(inverse))


def take_positions(frame: pd.DataFrame, idx: np.ndarray) -> pd.DataFrame:
    """Return ``frame.iloc[idx]`` (same values, dtypes and index), cheaply when ``idx`` holds few rows.

    Arrow-backed text columns are taken chunk by chunk, so picking a few
    quarantined rows out of a million does not copy whole columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows as read.
    idx : numpy.ndarray
        Integer positions.

    Returns
    -------
    pandas.DataFrame
        The chosen rows, in the order of ``idx``.
    """
    idx = np.asarray(idx, dtype=np.int64)
    if len(idx) * 64 > len(frame) or not len(idx):
        return frame.iloc[idx]
    columns = {}
    for name in frame.columns:
        col = frame[name]
        array = col.array
        if isinstance(array, pd.arrays.ArrowStringArray):
            taken = _take_chunked(array.__arrow_array__(), idx)
            columns[name] = pd.Series(pd.arrays.ArrowStringArray(taken)).astype(col.dtype)
        else:
            columns[name] = col.iloc[idx].reset_index(drop=True)
    return pd.DataFrame(columns, columns=frame.columns).set_axis(frame.index[idx])


def _original_json(raw, idx: np.ndarray) -> list[str]:
    if isinstance(raw, pd.DataFrame):
        rows = _plain_text(take_positions(raw, idx))
        if len(idx) > 100 and all(isinstance(t, pd.StringDtype) for t in rows.dtypes):
            return build_extra(rows.reset_index(drop=True), list(rows.columns), keep_empty=True).tolist()
        return [to_json(r) for r in rows.to_dict("records")]
    return [to_json(raw[i]) for i in idx]


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "(empty)"
    text = str(value)
    return repr(text[:80] + "…" if len(text) > 80 else text)


class _Checker:
    """Assigns the first failing reason to each row."""

    def __init__(self, n: int):
        self.reason = np.full(n, None, dtype=object)
        self.detail = np.full(n, None, dtype=object)
        self._open = np.ones(n, dtype=bool)  # no reason yet (kept as booleans: comparing objects is slow)

    def flag(self, mask: np.ndarray, reason: str, describe) -> None:
        sel = np.flatnonzero(np.asarray(mask, dtype=bool) & self._open)
        if len(sel):
            self.reason[sel] = reason
            self.detail[sel] = [describe(i) for i in sel]
            self._open[sel] = False

    @property
    def ok(self) -> np.ndarray:
        return self._open.copy()


def _take_values(values: pd.Series, idx: np.ndarray) -> pd.Series:
    """``values.iloc[idx]`` with a fresh index; a few rows of an Arrow text column are taken chunk by chunk."""
    if isinstance(values.array, pd.arrays.ArrowStringArray) and len(idx) * 64 <= len(values):
        return pd.Series(pd.arrays.ArrowStringArray(_take_chunked(values.array.__arrow_array__(), idx))).astype(values.dtype)
    return values.iloc[idx].reset_index(drop=True)


def _missing_among(values: pd.Series, unparsed: np.ndarray) -> np.ndarray:
    """:func:`geo.parsing.missing_mask` of ``values``, looked at only where they did not parse.

    A missing value never parses (the parsers return NaN / NaT for it), so the rows that
    parsed are not missing and the text checks run on the few others only.
    """
    idx = np.flatnonzero(unparsed)
    if len(idx) == len(values):
        return missing_mask(values)
    out = np.zeros(len(values), dtype=bool)
    if len(idx):
        out[idx] = missing_mask(_take_values(values, idx))
    return out


def _take_rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """Rows of ``frame`` where ``keep``; few dropped rows are cut out by zero-copy slicing.

    A boolean take copies every string column (a million long descriptions
    cost seconds); concatenating slices of Arrow-backed columns only chains
    their chunks.
    """
    if keep.all():
        return frame.copy(deep=False)
    edges = np.flatnonzero(np.diff(np.concatenate([[False], keep, [False]]).astype(np.int8)))
    starts, stops = edges[0::2], edges[1::2]
    if len(starts) > 2000:
        return frame.loc[keep].copy()
    if not len(starts):
        return frame.iloc[0:0].copy()
    return pd.concat([frame.iloc[a:b] for a, b in zip(starts, stops, strict=True)])


#: Column names (normalised) of date parts that serve as evidence for the order of numeric dates.
DATE_PART_NAMES: dict[str, tuple[str, ...]] = {
    "year": ("year", "yr", "рік"),
    "month": ("month", "mon", "місяць"),
    "day": ("day", "день"),
}


def _date_hints(staged: StagedRows, date_col: str) -> dict[str, pd.Series]:
    """Return the raw file's year / month / day columns (other than the date column), aligned with the rows."""
    raw = staged.raw
    if not isinstance(raw, pd.DataFrame) or len(raw) != len(staged.fields):
        return {}
    by_norm = {re.sub(r"[^0-9a-zа-яіїєґ]+", "_", str(c).casefold()).strip("_"): c for c in raw.columns if c != date_col}
    hints = {}
    for part, names in DATE_PART_NAMES.items():
        for name in names:
            if name in by_norm:
                hints[part] = raw[by_norm[name]].reset_index(drop=True)
                break
    return hints


class _LazyCells:
    """A column's raw values, turned into Python objects only when a detail needs one.

    Defined at module level: a class made inside :func:`_check` would sit in a reference
    cycle (as every class does) with the staged fields in its closure, keeping them alive
    until the garbage collector runs.
    """

    def __init__(self, column: pd.Series):
        self.column = column
        self.values = None
        self.asked = 0

    def __getitem__(self, i):
        if self.values is None:
            self.asked += 1
            if self.asked <= 256:  # a few details: read the cells, not the whole column
                return self.column.iloc[i]
            self.values = self.column.to_numpy(dtype=object)
        return self.values[i]


def _check(staged: StagedRows, buffer_km: float, today: pd.Timestamp) -> tuple[pd.DataFrame, list[dict]]:
    from geo.studyarea import classify_points

    f = staged.fields
    n = len(f)
    cols = staged.columns
    check = _Checker(n)

    def raw_of(name):
        return _LazyCells(f[name])

    sid = strip_text(f["source_id"].astype("str"))
    sid_missing = sid.isna().to_numpy() | (sid == "").to_numpy(dtype=bool, na_value=True)
    check.flag(sid_missing, "missing_id", lambda i: f"{cols.get('source_id', 'id')} is empty and no id could be derived")

    date_raw = f["date"]
    date_col = cols.get("date", "date")
    notes: list[str] = []
    info: dict = {}
    try:
        dates = parse_dates(date_raw, staged.date_formats, order=staged.date_order,
                            default_order=staged.default_date_order, hints=_date_hints(staged, date_col),
                            column=date_col, notes=notes, info=info)
    except AmbiguousDateOrder as exc:
        raise UnreadableFileError(Message("{file}: {problem}.", file=staged.file, problem=exc.msg)) from exc
    staged.messages.extend(Message("{file}: {note}", file=staged.file, note=note) for note in notes)
    date_missing = _missing_among(date_raw, dates.isna().to_numpy())
    draw = raw_of("date")
    check.flag(date_missing, "date_missing", lambda i: f"{date_col} is empty")
    read_as = {"dayfirst": "day/month/year", "monthfirst": "month/day/year"}.get(info.get("order"))
    order_note = f"; numeric dates in this column are read {read_as}" if read_as else ""
    check.flag(dates.isna().to_numpy(), "date_unparseable",
               lambda i: f"{date_col}={_fmt(draw[i])} is not a date in any supported format (e.g. 2022-02-24, "
                         f"24 February 2022, 2/24/2022){order_note}")
    dvals = dates.to_numpy()
    check.flag(dvals < EARLIEST_DATE.to_datetime64(), "date_out_of_range",
               lambda i: f"{date_col}={_fmt(draw[i])} is before 1991-08-24")
    check.flag(dvals > today.to_datetime64(), "date_in_future",
               lambda i: f"{date_col}={_fmt(draw[i])} is after today ({today.date()})")

    lat_col, lon_col = cols.get("lat", "lat"), cols.get("lon", "lon")
    lat_raw, lon_raw = f["lat"], f["lon"]
    lat, lon = parse_coordinates(lat_raw).to_numpy(), parse_coordinates(lon_raw).to_numpy()
    lat_missing, lon_missing = _missing_among(lat_raw, np.isnan(lat)), _missing_among(lon_raw, np.isnan(lon))
    lraw, oraw = raw_of("lat"), raw_of("lon")

    def both(i):
        return f"{lat_col}={_fmt(lraw[i])}, {lon_col}={_fmt(oraw[i])}"

    check.flag(lat_missing | lon_missing, "coords_missing", lambda i: f"{both(i)}: a coordinate is empty")
    check.flag(np.isnan(lat) | np.isnan(lon), "coords_not_numeric", lambda i: f"{both(i)}: not a number")
    with np.errstate(invalid="ignore"):
        out_of_range = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    check.flag(out_of_range, "coords_out_of_range", lambda i: f"{both(i)}: latitude must be within ±90, longitude within ±180")
    candidates = np.flatnonzero(check.ok)
    inside = np.zeros(n, dtype=bool)
    swapped = np.zeros(n, dtype=bool)
    if len(candidates):
        inside[candidates], swapped[candidates] = classify_points(lon[candidates], lat[candidates], buffer_km)
    pending = check.ok.copy()
    check.flag(pending & swapped, "latlon_swapped",
               lambda i: f"{both(i)}: outside the study area, but inside with latitude and longitude swapped")
    def outside(i):
        text = f"{both(i)}: outside Ukraine plus {buffer_km:g} km"
        if abs(lat[i]) < 0.01 and abs(lon[i]) < 0.01:
            text += " (0, 0 is a common placeholder for an unknown location)"
        return text

    check.flag(pending & ~inside, "outside_study_area", outside)

    counts = {}
    for name in ("killed", "injured"):
        col = cols.get(name, name)
        values, bad = parse_counts(f[name])
        craw = raw_of(name)
        check.flag(bad, "casualties_not_numeric",
                   lambda i, col=col, craw=craw: f"{col}={_fmt(craw[i])} is not a whole number")
        negative = (values < 0).to_numpy(dtype=bool, na_value=False)
        check.flag(negative, "negative_casualties", lambda i, col=col, craw=craw: f"{col}={_fmt(craw[i])} is negative")
        counts[name] = values

    ok = check.ok
    if staged.pending:
        f = f.assign(**{name: future.result() for name, future in staged.pending.items()})
        staged.pending.clear()
    good = _take_rows(f, ok)
    good["date"] = dates[ok].to_numpy()
    good["lat"] = lat[ok]
    good["lon"] = lon[ok]
    for name, values in counts.items():
        good[name] = values[ok].to_numpy()
    good["source"] = staged.source
    good["source_id"] = sid if ok.all() else sid[ok]
    good["incident_id"] = staged.source + ":" + good["source_id"].astype("str")
    good["_file"] = staged.file
    good["_row"] = staged.row_numbers[ok]
    good["_pos"] = np.flatnonzero(ok)

    bad_idx = np.flatnonzero(~ok)
    records = list(staged.pre_quarantine)
    if len(bad_idx):
        originals = _original_json(staged.raw, bad_idx)
        for j, i in enumerate(bad_idx):
            records.append({"file": staged.file, "row_number": int(staged.row_numbers[i]), "source": staged.source,
                            "reason": check.reason[i], "detail": check.detail[i], "original": originals[j]})
    return good, records


def _coerce(frame: pd.DataFrame) -> pd.DataFrame:
    """Coerce a staged frame like :func:`geo.schema.coerce_incidents`, without per-element list checks.

    Staged list columns already hold lists of code strings, so they are taken
    as they are: rows with the same pattern may share one list object, so
    treat the lists as read-only (as every consumer of the table does). The
    other columns go through ``coerce_incidents``.
    """
    scalar_spec = {k: v for k, v in IMPORT_COLUMNS.items() if k not in LIST_COLUMNS}
    out = coerce_incidents(frame.drop(columns=[c for c in LIST_COLUMNS if c in frame]), scalar_spec)
    for name in LIST_COLUMNS:
        values = frame[name].to_numpy(dtype=object) if name in frame else np.empty(len(frame), dtype=object)
        bad = np.flatnonzero([not isinstance(v, list) for v in values]) if len(values) < 1000 else None
        if bad is None:
            bad = np.flatnonzero(pd.isna(pd.Series(values, dtype="object")).to_numpy())
        for i in bad:
            values[i] = []
        out[name] = pd.Series(values, dtype="object")
    return out[list(IMPORT_COLUMNS)]


def finalise(staged_list: Sequence[StagedRows], buffer_km: float = 50.0, today=None,
             date_order: str | None = None) -> ImportResult:
    """Parse, check and de-duplicate staged rows into an :class:`~geo.schema.ImportResult`.

    Each failing row gets the first reason, in this order: missing_id, date
    (missing, unparseable, out of range, future), coordinates (missing, not
    numeric, out of range, swapped, outside the study area), casualties (not
    numeric, negative). Ids are then de-duplicated across all staged inputs,
    first occurrence kept.

    Parameters
    ----------
    staged_list : sequence of StagedRows
        One entry per input file, in input order. They are consumed: their ``raw`` and
        ``fields`` are released once checked, so their memory goes before the final table is built.
    buffer_km : float
        Study-area buffer in km.
    today : date-like, optional
        Dates after this are quarantined as future (default: today).
    date_order : {"dayfirst", "monthfirst"}, optional
        Read numeric dates of every input in this order; by default each
        file's date column decides (see :func:`geo.parsing.detect_date_order`).

    Returns
    -------
    geo.schema.ImportResult
        ``rows_read`` equals imported plus quarantined rows.

    Raises
    ------
    geo.schema.UnreadableFileError
        A date column whose day/month order nothing decides (the message names
        the file, the column, example values and the fix).
    """
    today_ts = pd.Timestamp(today if today is not None else dt.date.today()).normalize()
    goods: list[pd.DataFrame] = []
    records: list[dict] = []
    rows_read = 0
    messages: list[str] = []
    for number, staged in enumerate(staged_list):
        if date_order is not None:
            staged.date_order = date_order
        good, recs = _check(staged, buffer_km, today_ts)
        good["_staged"] = number
        goods.append(good)
        records.extend(recs)
        rows_read += staged.rows_read
        messages.extend(staged.messages)
    if len(goods) == 1:
        frame = goods[0].reset_index(drop=True)  # one input: nothing to concatenate (no copy of its NumPy columns)
    else:
        frame = pd.concat(goods, ignore_index=True) if goods else pd.DataFrame(columns=list(IMPORT_COLUMNS))
    del goods
    if len(frame):
        dup = frame["incident_id"].duplicated(keep="first").to_numpy()
        if dup.any():
            first = frame.loc[~dup].drop_duplicates("incident_id").set_index("incident_id")
            dups = frame.loc[dup]
            kept_file = first["_file"].reindex(dups["incident_id"]).to_numpy()
            kept_input = first["_staged"].reindex(dups["incident_id"]).to_numpy()
            kept_row = first["_row"].reindex(dups["incident_id"]).to_numpy()
            for index, group in dups.groupby("_staged", sort=True):
                staged = staged_list[int(index)]
                id_col = staged.columns.get("source_id", "id")
                positions = np.flatnonzero((dups["_staged"] == index).to_numpy())
                originals = _original_json(staged.raw, group["_pos"].to_numpy())
                for j, (pos, sid, row) in enumerate(zip(positions, group["source_id"], group["_row"], strict=True)):
                    where = f"row {kept_row[pos]}"
                    if kept_input[pos] != index:
                        where += f" of {kept_file[pos]}" + (" (an earlier input)" if kept_file[pos] == staged.file else "")
                    records.append({
                        "file": staged.file, "row_number": int(row), "source": staged.source, "reason": "duplicate_id",
                        "detail": f"{id_col}={_fmt(sid)} is already used by {where}", "original": originals[j],
                    })
            frame = _take_rows(frame, ~dup)
    kept = frame["_staged"].value_counts().to_dict() if len(frame) else {}
    files = [{"file": staged.file, "source": staged.source, "rows_read": int(staged.rows_read),
              "imported": int(kept.get(number, 0))} for number, staged in enumerate(staged_list)]
    for staged in staged_list:  # checked and de-duplicated: the rows as read are not needed any more
        staged.raw, staged.fields = None, None
    incidents = _coerce(frame)
    quarantine = pd.DataFrame.from_records(records, columns=list(QUARANTINE_COLUMNS)) if records else empty_quarantine()
    if records:
        quarantine = quarantine.astype({c: "string" for c in QUARANTINE_COLUMNS if c != "row_number"})
        quarantine["row_number"] = quarantine["row_number"].astype("Int64")
        quarantine = quarantine.sort_values(["file", "row_number"], kind="stable").reset_index(drop=True)
    return ImportResult(incidents=incidents, quarantine=quarantine, rows_read=rows_read, messages=messages, files=files)


def slug(text: str, default: str = "generic") -> str:
    """Turn a file stem or label into a source key: lower case, ``[a-z0-9_-]``, at most 40 characters.

    Parameters
    ----------
    text : str
        File stem or user label.
    default : str
        Returned when nothing usable is left.

    Returns
    -------
    str
        The key.
    """
    key = re.sub(r"[^a-z0-9_-]+", "-", text.strip().lower()).strip("-_")[:40]
    return key or default

"""Cached data access: the loaded bundle (shared, read-only) and the filtered view of it.

The bundle and its prepared numpy columns live in ``st.cache_resource`` keyed on the data
directory and a cheap file stamp (never on a frame). Filter results are keyed on the same
key plus the filter values (primitives) and bounded with ``max_entries``. A session's own
upload replaces or extends the shared data for that session only (``st.session_state``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from geo.datadir import SOURCE_FILES_ATTR, DataBundle, DataDirError, data_stamp, load_bundle
from geo.filters import (
    Filters,
    IncidentColumns,
    columns_from_arrays,
    columns_to_arrays,
    compute_kpis,
    filter_mask,
    prepare_columns,
)
from geo.i18n import N_
from geo.schema import UnreadableFileError
from geo.tablecache import cached_arrays, code_digest
from ui.i18n import _, error_text

ENV_VAR = "CONFLICTMAP_DATA"
KNOWN_LOAD_ERRORS = (DataDirError, UnreadableFileError, FileNotFoundError, ImportError, OSError, ValueError)
SESSION_DATA_KEY = "upl_session_data"
#: Never shown in the app and ~390 MB of JSON at 1M ACLED rows; `python -m geo export` still has it.
APP_SKIPPED_COLUMNS = ("extra",)
USE_DEFAULT_KEY = "data_use_default"


@dataclass(frozen=True, eq=False)
class LoadedData:
    """A bundle with the columns prepared for filtering and an id lookup."""

    key: str
    bundle: DataBundle
    columns: IncidentColumns
    id_to_row: pd.Index
    #: What is loaded, as a catalogue message and its values (a value may itself be such a pair).
    label: str
    label_values: tuple = ()

    def label_text(self) -> str:
        """Return the label in the session's language, e.g. "bundled default data"."""
        return _translate_label(self.label, self.label_values)


def _translate_label(message: str, values: tuple) -> str:
    shown = {key: _translate_label(*value) if isinstance(value, tuple) else value for key, value in values}
    return _(message, **shown)


@dataclass(frozen=True, eq=False)
class FilteredView:
    """What every page works from: the data, the filters, the mask and the headline totals."""

    data: LoadedData
    filters: Filters
    mask: np.ndarray
    kpis: dict

    @property
    def bundle(self) -> DataBundle:
        return self.data.bundle

    @property
    def incidents(self) -> pd.DataFrame:
        return self.data.bundle.incidents

    @property
    def columns(self) -> IncidentColumns:
        return self.data.columns

    @property
    def key(self) -> str:
        return self.data.key

    def filtered(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Return the matching incidents (a copy; avoid on millions of rows)."""
        frame = self.incidents if columns is None else self.incidents[columns]
        return frame[self.mask]

    @property
    def noun(self) -> str:
        """What the counts count: "events" or "records"."""
        return "records" if self.filters.count_by == "records" else "events"

    def count_text(self, of_total: bool = False) -> str:
        """Return e.g. "1,234 events" or "1,234 of 6,391 events" for captions."""
        total = self.kpis["total"] if self.noun == "records" else self.kpis["events_total"]
        shown = self.kpis["incidents"]
        if self.noun == "records":
            if of_total:
                return _.ngettext("{shown} of {n} record", "{shown} of {n} records", total, shown=shown)
            return _.ngettext("{n} record", "{n} records", shown)
        if of_total:
            return _.ngettext("{shown} of {n} event", "{shown} of {n} events", total, shown=shown)
        return _.ngettext("{n} event", "{n} events", shown)

    def row_of(self, incident_id: str | None) -> int | None:
        """Return the table row of an incident id, or None."""
        if not incident_id:
            return None
        pos = self.data.id_to_row.get_indexer([incident_id])[0]
        return int(pos) if pos >= 0 else None


def configured_path() -> str | None:
    """Return the data directory named by CONFLICTMAP_DATA, or None for the bundled default."""
    value = os.environ.get(ENV_VAR, "").strip()
    return value or None


def data_path() -> str | None:
    """Return this session's data directory: the configured one unless it chose the bundled default."""
    if st.session_state.get(USE_DEFAULT_KEY):
        return None
    return configured_path()


def _stamp(path: str | None) -> str:
    return data_stamp(path)


def prepare_loaded(bundle: DataBundle, key: str, label: str, label_values: tuple = (),
                   columns: IncidentColumns | None = None) -> LoadedData:
    """Prepare a bundle for filtering (columns, unless given; id index)."""
    columns = prepare_columns(bundle.incidents) if columns is None else columns
    ids = pd.Index(bundle.incidents["incident_id"].astype("string").fillna(""))
    return LoadedData(key=key, bundle=bundle, columns=columns, id_to_row=ids, label=label, label_values=label_values)


def load_shared_data(path: str | None, stamp: str) -> LoadedData:
    """Load and prepare a data directory (None: the bundled default) as the app holds it, uncached.

    List columns stay in Arrow and the incident table is read through its memory-mapped
    copy in the cache folder (:func:`geo.datadir.load_bundle`); ``extra`` is not loaded.
    """
    bundle = load_bundle(path, skip_columns=APP_SKIPPED_COLUMNS, arrow_lists=True, cached=True)
    if bundle.is_default:
        label, values = N_("bundled default data"), ()
    else:
        label, values = N_("data directory {path}"), (("path", str(path)),)
    return prepare_loaded(bundle, key=f"{path or 'default'}:{bundle.version}:{stamp}", label=label, label_values=values,
                          columns=cached_columns(bundle.incidents))


def cached_columns(incidents: pd.DataFrame) -> IncidentColumns:
    """Return ``prepare_columns(incidents)``, memory-mapped from the cache folder after the first time.

    Keyed by the files the table was read from (``geo.datadir.SOURCE_FILES_ATTR``, recorded when
    it was read), its columns and length, and the ``geo`` code (:func:`geo.tablecache.code_digest`).
    """
    identities = incidents.attrs.get(SOURCE_FILES_ATTR)
    tag = f"prepare_columns\0{code_digest()}\0{len(incidents)}\0{list(incidents.columns)}"
    arrays, values = cached_arrays(identities, tag, lambda: columns_to_arrays(prepare_columns(incidents)))
    return columns_from_arrays(arrays, values, incidents)


@st.cache_resource(show_spinner=False, max_entries=3)
def _load_shared(path: str | None, stamp: str) -> LoadedData:
    return load_shared_data(path, stamp)


def load_configured_data() -> LoadedData:
    """Load the configured directory into the shared cache, as a visitor's first run would (no session needed)."""
    path = configured_path()
    return _load_shared(path, _stamp(path))


def get_shared_data() -> LoadedData:
    """Return the shared data for the configured directory (raises the loader's known errors)."""
    path = data_path()
    stamp = _stamp(path)
    # The spinner shows only when loading takes over half a second (a cache miss), in the reader's language.
    with st.spinner(_("Loading incidents…")):
        return _load_shared(path, stamp)


def get_data() -> LoadedData:
    """Return this session's data: its upload when it has one, the shared data otherwise."""
    session = st.session_state.get(SESSION_DATA_KEY)
    if session is not None:
        return session
    return get_shared_data()


@st.cache_data(max_entries=64, show_spinner=False)
def _shared_mask(data_key: str, filters: Filters, _data: LoadedData) -> np.ndarray:
    """The mask of ``_data`` (not hashed: its key says which data it is) for ``filters``."""
    return filter_mask(_data.columns, filters)


def compute_view(data: LoadedData, filters: Filters) -> FilteredView:
    """Return the filtered view of ``data``.

    The shared data's masks are cached on the key of the very data they were computed from
    (directory, data version, file stamp), so a mask can never be paired with a newer version
    that was loaded in between; a session's own upload is filtered directly.
    """
    if st.session_state.get(SESSION_DATA_KEY) is data:
        mask = filter_mask(data.columns, filters)
    else:
        mask = _shared_mask(data.key, filters, data)
    return FilteredView(data=data, filters=filters, mask=mask, kpis=compute_kpis(data.columns, mask))


def show_load_error(exc: BaseException) -> None:
    """Explain a data-loading failure and offer the bundled default data."""
    st.error(_("The data could not be loaded. {reason}", reason=error_text(exc)))
    if data_path() is not None and st.button(_("Use the bundled default data instead"), key="data_fallback"):
        st.session_state[USE_DEFAULT_KEY] = True
        st.rerun()

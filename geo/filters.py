"""Incident filters: a hashable filter value, its URL form, a vectorised mask and KPI totals.

:class:`Filters` holds primitives only, so it can key caches and round-trip through a
URL query string. :func:`filter_mask` evaluates it with numpy over columns prepared once
per data version (:func:`prepare_columns`), never row by row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.admin1 import ADMIN1, oblast_label
from geo.i18n import N_, translator
from geo.places import place_search_terms
from geo.scope import CIVILIAN_HARM, EVENT_CATEGORIES, describe_categories
from geo.taxonomy import (
    PRECISE_GEO,
    TARGET_TYPES,
    WEAPONS,
    bitmask,
    bits_from_lists,
    first_code_index,
    short_label,
)

MAX_TEXT_LENGTH = 200
#: Valid values of the country filter: ISO 3166-1 alpha-2 codes and "sea" (see geo.countries).
_COUNTRY_CODES = frozenset({f"{a}{b}" for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"} | {"sea"})
#: Valid range of a casualty bound (URL, CLI, widgets): the deadliest single events of the
#: war are in the hundreds; a bound above a million is a typo or an attack.
CASUALTY_BOUND_MAX = 1_000_000
#: Valid range of a distance-from-the-front bound, km (either sign).
DISTANCE_BOUND_MAX_KM = 5000.0
COUNT_MODES: dict[str, str] = {"events": "events", "records": "records"}
ALL_CATEGORIES: tuple[str, ...] = tuple(EVENT_CATEGORIES)
_EPOCH = np.datetime64("1970-01-01", "D")

# Short, stable query-parameter names; changing one breaks every shared link.
_MULTI_PARAMS = {"tt": "target_types", "wp": "weapons", "ob": "oblasts", "src": "sources", "cn": "countries"}
_INT_PARAMS = {"kmin": "killed_min", "kmax": "killed_max", "imin": "injured_min", "imax": "injured_max"}
_FLOAT_PARAMS = {"fmin": "front_min_km", "fmax": "front_max_km"}
FILTER_PARAM_KEYS: tuple[str, ...] = (
    "from", "to", *_MULTI_PARAMS, *_INT_PARAMS, "nr", *_FLOAT_PARAMS, "precise", "q", "cat", "count"
)


@dataclass(frozen=True)
class Filters:
    """What the user asked to see; every field's default means "no restriction".

    Attributes
    ----------
    date_from, date_to : datetime.date or None
        Inclusive date range.
    target_types, weapons : tuple of str
        Taxonomy codes; an incident matches when any of its codes is selected.
    killed_min, killed_max, injured_min, injured_max : int or None
        Inclusive casualty ranges.
    include_not_reported : bool
        Whether incidents whose count is not reported pass a casualty range (default: no,
        a threshold such as "killed at least 10" keeps only events that report a figure).
    oblasts : tuple of str
        ISO 3166-2 codes of first-level units.
    front_min_km, front_max_km : float or None
        Band of distance from the line of contact (negative inside occupied territory).
    precise_only : bool
        Keep only incidents located exactly or near (not area/region/unknown).
    sources : tuple of str
        Source keys.
    text : str
        Case-insensitive substring searched in location and description; a place
        name also finds the place's other spellings (:func:`geo.places.place_search_terms`).
    categories : tuple of str
        Event categories (:data:`geo.scope.EVENT_CATEGORIES`); the default is the civilian-harm
        scope :data:`geo.scope.CIVILIAN_HARM`; empty means every category.
    count_by : str
        ``"events"`` (default: records of one incident from several sources count once) or
        ``"records"`` (every row of every source).
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    target_types: tuple[str, ...] = ()
    weapons: tuple[str, ...] = ()
    killed_min: int | None = None
    killed_max: int | None = None
    injured_min: int | None = None
    injured_max: int | None = None
    include_not_reported: bool = False
    oblasts: tuple[str, ...] = ()
    front_min_km: float | None = None
    front_max_km: float | None = None
    precise_only: bool = False
    sources: tuple[str, ...] = ()
    text: str = ""
    categories: tuple[str, ...] = CIVILIAN_HARM
    count_by: str = "events"
    countries: tuple[str, ...] = ()

    @property
    def all_categories(self) -> bool:
        """True when no event category is excluded."""
        return not self.categories or set(self.categories) >= set(ALL_CATEGORIES)

    def is_default(self) -> bool:
        """Return True when nothing is restricted."""
        return self == Filters()

    def describe(self, lang: str = "en") -> str:
        """Return the filters in plain words, for captions, exports and citations.

        Parameters
        ----------
        lang : str
            Language of the words (a key of :data:`geo.i18n.LANGUAGES`; English by default).

        Returns
        -------
        str
            For example ``"1 Jan 2024 to 31 Mar 2024; targets: Education; killed at least 1 (not
            reported excluded); civilian harm only (...); counting events (sources merged)"``.
        """
        _ = translator(lang)
        parts: list[str] = []
        if self.date_from and self.date_to:
            parts.append(_("{start} to {end}", start=_format_date(self.date_from, lang),
                           end=_format_date(self.date_to, lang)))
        elif self.date_from:
            parts.append(_("{start} to the latest date", start=_format_date(self.date_from, lang)))
        elif self.date_to:
            parts.append(_("the start to {end}", end=_format_date(self.date_to, lang)))
        if self.target_types:
            parts.append(_("targets: {names}", names=", ".join(short_label(c, TARGET_TYPES, lang)
                                                               for c in self.target_types)))
        if self.weapons:
            parts.append(_("weapons: {names}", names=", ".join(short_label(c, WEAPONS, lang) for c in self.weapons)))
        for words, low, high in ((_KILLED_RANGE, self.killed_min, self.killed_max),
                                 (_INJURED_RANGE, self.injured_min, self.injured_max)):
            if low is not None or high is not None:
                unreported = _("not reported included") if self.include_not_reported else _("not reported excluded")
                parts.append(f"{_describe_range(words, low, high, lang)} ({unreported})")
        if self.oblasts:
            parts.append(_("oblasts: {names}", names=", ".join(oblast_label(c, lang) for c in self.oblasts)))
        if self.front_min_km is not None or self.front_max_km is not None:
            parts.append(_describe_range(_FRONT_RANGE, self.front_min_km, self.front_max_km, lang))
        if self.precise_only:
            parts.append(_("precise locations only"))
        if self.sources:
            parts.append(_("sources: {names}", names=", ".join(self.sources)))
        if self.countries:
            parts.append(_("countries: {names}", names=", ".join(self.countries)))
        if self.text:
            parts.append(_("text contains {text}", text=_quoted(self.text, lang)))
        # What is counted and the scope come last, so the specific filters lead (export file
        # names are built from this text and keep only its start).
        parts.append(describe_categories(self.categories, lang))
        parts.append(_("counting events (sources merged)") if self.count_by == "events"
                     else _("counting records (every source row)"))
        return "; ".join(parts)

    def to_query_params(self) -> dict[str, str | list[str]]:
        """Return the non-default fields as URL query parameters.

        Returns
        -------
        dict
            Parameter name to a string, or to a list of strings for repeated parameters.
        """
        params: dict[str, str | list[str]] = {}
        if self.date_from:
            params["from"] = self.date_from.isoformat()
        if self.date_to:
            params["to"] = self.date_to.isoformat()
        for key, name in _MULTI_PARAMS.items():
            values = getattr(self, name)
            if values:
                params[key] = list(values)
        for key, name in _INT_PARAMS.items():
            value = getattr(self, name)
            if value is not None:
                params[key] = str(value)
        if self.include_not_reported:
            params["nr"] = "1"
        for key, name in _FLOAT_PARAMS.items():
            value = getattr(self, name)
            if value is not None:
                params[key] = f"{value:g}"
        if self.precise_only:
            params["precise"] = "1"
        if self.text:
            params["q"] = self.text
        if self.all_categories:
            params["cat"] = "all"
        elif tuple(self.categories) != CIVILIAN_HARM:
            params["cat"] = list(self.categories)
        if self.count_by != "events":
            params["count"] = self.count_by
        return params

    @classmethod
    def from_query_params(
        cls, params: Mapping[str, str | list[str]], known_sources: tuple[str, ...] | None = None, lang: str = "en"
    ) -> tuple[Filters, list[str]]:
        """Read filters from URL query parameters, dropping what is invalid.

        Parameters
        ----------
        params : mapping
            Parameter name to a string or a list of strings (repeated parameters). Unknown
            names are ignored (other parts of the app own them).
        known_sources : tuple of str, optional
            Source keys present in the data; other source values are dropped.
        lang : str
            Language of the notices (English by default).

        Returns
        -------
        Filters
            The valid part of the request; invalid values fall back to the default.
        list of str
            One plain-language notice per value that was ignored or corrected.
        """
        _ = translator(lang)

        def quote(text: str) -> str:
            return _quote(text, lang)

        notices: list[str] = []
        values: dict = {}
        for key, name in (("from", "date_from"), ("to", "date_to")):
            raw = _single(params.get(key))
            if raw is None:
                continue
            try:
                values[name] = dt.date.fromisoformat(raw.strip())
            except ValueError:
                notices.append(_("Ignored the date {value} in the link ({key}=): use the form YYYY-MM-DD.",
                                  value=quote(raw), key=key))
        if values.get("date_from") and values.get("date_to") and values["date_from"] > values["date_to"]:
            values["date_from"], values["date_to"] = values["date_to"], values["date_from"]
            notices.append(_("The link's start date was after its end date; the two were swapped."))
        allowed = {"tt": set(TARGET_TYPES), "wp": set(WEAPONS), "ob": set(ADMIN1)}
        if known_sources is not None:
            allowed["src"] = set(known_sources)
        allowed["cn"] = _COUNTRY_CODES
        for key, name in _MULTI_PARAMS.items():
            items = _multi(params.get(key), split_commas=key != "src")
            if not items:
                continue
            if key == "ob":
                items = [item.upper() for item in items]
            if key == "cn":
                items = [item if item.lower() == "sea" else item.upper() for item in items]
            good = [item for item in dict.fromkeys(items) if key not in allowed or item in allowed[key]]
            bad = [item for item in items if item not in good]
            if bad:
                notices.append(_("Ignored unknown value(s) {values} in the link ({key}=).",
                                  values=", ".join(quote(b) for b in bad[:5]), key=key))
            values[name] = tuple(good)
        for key, name in _INT_PARAMS.items():
            raw = _single(params.get(key))
            if raw is None:
                continue
            number = parse_bounded_int(raw, 0, CASUALTY_BOUND_MAX)
            if number is None:
                notices.append(_("Ignored {value} in the link ({key}=): a casualty bound must be a whole number "
                                  "from 0 to {high}.", value=quote(raw), key=key, high=CASUALTY_BOUND_MAX))
                continue
            values[name] = number
        for low, high, notice in (
            ("killed_min", "killed_max", N_("The link's killed range was reversed; the bounds were swapped.")),
            ("injured_min", "injured_max", N_("The link's injured range was reversed; the bounds were swapped.")),
        ):
            if values.get(low) is not None and values.get(high) is not None and values[low] > values[high]:
                values[low], values[high] = values[high], values[low]
                notices.append(_(notice))
        raw_nr = _single(params.get("nr"))
        if raw_nr is not None:
            if raw_nr.strip() in ("0", "1"):
                values["include_not_reported"] = raw_nr.strip() == "1"
            else:
                notices.append(_("Ignored {value} in the link ({key}=): use 0 or 1.", value=quote(raw_nr), key="nr"))
        for key, name in _FLOAT_PARAMS.items():
            raw = _single(params.get(key))
            if raw is None:
                continue
            try:
                number = float(raw.strip()[:64])
            except (ValueError, OverflowError):
                number = math.nan
            if not math.isfinite(number) or abs(number) > DISTANCE_BOUND_MAX_KM:
                notices.append(_("Ignored {value} in the link ({key}=): a distance must be a number of km "
                                  "from -{high} to {high}.", value=quote(raw), key=key,
                                  high=_format_number(DISTANCE_BOUND_MAX_KM, lang)))
                continue
            values[name] = number
        if (
            values.get("front_min_km") is not None
            and values.get("front_max_km") is not None
            and values["front_min_km"] > values["front_max_km"]
        ):
            values["front_min_km"], values["front_max_km"] = values["front_max_km"], values["front_min_km"]
            notices.append(_("The link's distance band was reversed; the bounds were swapped."))
        raw_precise = _single(params.get("precise"))
        if raw_precise is not None:
            if raw_precise.strip() in ("0", "1"):
                values["precise_only"] = raw_precise.strip() == "1"
            else:
                notices.append(_("Ignored {value} in the link ({key}=): use 0 or 1.", value=quote(raw_precise),
                                  key="precise"))
        cats = _multi(params.get("cat"), split_commas=True)
        if cats:
            if any(c.strip().lower() == "all" for c in cats):
                values["categories"] = ALL_CATEGORIES
            else:
                good = tuple(c for c in dict.fromkeys(cats) if c in EVENT_CATEGORIES)
                bad = [c for c in cats if c not in EVENT_CATEGORIES]
                if bad:
                    notices.append(_("Ignored unknown event categories {values} in the link (cat=).",
                                      values=", ".join(quote(b) for b in bad[:5])))
                if good:
                    values["categories"] = good
        raw_count = _single(params.get("count"))
        if raw_count is not None:
            if raw_count.strip() in COUNT_MODES:
                values["count_by"] = raw_count.strip()
            else:
                notices.append(_("Ignored {value} in the link (count=): use events or records.", value=quote(raw_count)))
        raw_text = _single(params.get("q"))
        if raw_text is not None:
            text = clean_search_text(raw_text)
            if len(raw_text) > MAX_TEXT_LENGTH:
                notices.append(_("The search text in the link was cut to {n} characters.", n=MAX_TEXT_LENGTH))
            values["text"] = text
        return cls(**values), notices

    def replace(self, **changes) -> Filters:
        """Return a copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)


def parse_bounded_int(text: str, low: int, high: int) -> int | None:
    """Return ``text`` as a whole number within ``[low, high]``, or None.

    Never converts an oversized number to float (no ``OverflowError``) and reads at most 32
    characters, so a 400-digit value is simply out of range.

    Parameters
    ----------
    text : str
        Raw input.
    low, high : int
        Inclusive valid range.

    Returns
    -------
    int or None
        The number, or None when it is not a whole number in range.
    """
    raw = str(text).strip()
    if len(raw) > 32:
        return None
    try:
        number = int(raw)
    except ValueError:
        return None
    return number if low <= number <= high else None


def clean_search_text(text: str) -> str:
    """Return search text without control characters, trimmed to :data:`MAX_TEXT_LENGTH`.

    Parameters
    ----------
    text : str
        Raw user input.

    Returns
    -------
    str
        Cleaned text.
    """
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return kept.strip()[:MAX_TEXT_LENGTH]


@dataclass(frozen=True, eq=False)
class IncidentColumns:
    """Read-only numpy views of the incident table, prepared once per data version.

    Attributes
    ----------
    day : numpy.ndarray
        int64 days since 1970-01-01.
    lon, lat : numpy.ndarray
        float64 coordinates.
    killed, injured : numpy.ndarray
        float64 counts, NaN = not reported.
    target_bits, weapon_bits : numpy.ndarray
        int64 bit sets over :data:`geo.taxonomy.TARGET_TYPES` / ``WEAPONS``.
    primary_target : numpy.ndarray
        int16 index of the first target type in ``TARGET_TYPES`` (``unknown`` when empty).
    admin1_codes : numpy.ndarray
        int16 index into ``admin1_values`` (-1 = outside every unit).
    admin1_values : tuple of str
        Distinct admin-1 codes.
    source_codes : numpy.ndarray
        int32 index into ``source_values``.
    source_values : tuple of str
        Distinct source keys.
    precise : numpy.ndarray
        bool, location exact or near.
    front_km : numpy.ndarray
        float64 distance from the line of contact, NaN when unknown.
    location, description : pyarrow.Array
        Text searched by :attr:`Filters.text` (nulls never match).
    category : numpy.ndarray
        int8 index into :data:`ALL_CATEGORIES` (-1 = unknown).
    event_code : numpy.ndarray
        int64 index of the record's event (0 .. n_events - 1).
    event_head : numpy.ndarray
        bool, the record is its event's headline record.
    event_killed, event_injured : numpy.ndarray
        float64 headline figures of the record's event (NaN = not reported).
    civilians_killed : numpy.ndarray
        float64 civilian deaths where the source counts them apart (NaN otherwise).
    """

    day: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    killed: np.ndarray
    injured: np.ndarray
    target_bits: np.ndarray
    weapon_bits: np.ndarray
    primary_target: np.ndarray
    admin1_codes: np.ndarray
    admin1_values: tuple[str, ...]
    source_codes: np.ndarray
    source_values: tuple[str, ...]
    precise: np.ndarray
    front_km: np.ndarray
    location: pa.Array
    description: pa.Array
    category: np.ndarray = None
    event_code: np.ndarray = None
    event_head: np.ndarray = None
    event_killed: np.ndarray = None
    event_injured: np.ndarray = None
    civilians_killed: np.ndarray = None
    country_codes: np.ndarray = None
    country_values: tuple[str, ...] = ()

    @property
    def n_events(self) -> int:
        """Number of distinct events."""
        return int(self.event_code.max()) + 1 if len(self.event_code) else 0

    def __len__(self) -> int:
        return len(self.day)


def prepare_columns(incidents: pd.DataFrame) -> IncidentColumns:
    """Turn the incident table into the numpy columns :func:`filter_mask` works on.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Canonical incident table (:data:`geo.schema.ALL_COLUMNS`); ``target_bits`` and
        ``weapon_bits`` are used when present, computed otherwise.

    Returns
    -------
    IncidentColumns
        Arrays aligned with the rows of ``incidents``; all marked read-only.
    """
    n = len(incidents)
    dates = pd.to_datetime(incidents["date"]).to_numpy(dtype="datetime64[D]")
    day = (dates - _EPOCH).astype(np.int64)
    if "target_bits" in incidents.columns and "weapon_bits" in incidents.columns:
        target_bits = incidents["target_bits"].to_numpy(dtype=np.int64)
        weapon_bits = incidents["weapon_bits"].to_numpy(dtype=np.int64)
    else:
        target_bits = bits_from_lists(incidents["target_types"], TARGET_TYPES)
        weapon_bits = bits_from_lists(incidents["weapons"], WEAPONS)
    primary = first_code_index(incidents["target_types"], TARGET_TYPES)
    admin1 = incidents["admin1_iso"].astype("string") if "admin1_iso" in incidents.columns else pd.Series([pd.NA] * n, dtype="string")
    admin1_cat = pd.Categorical(admin1)
    source_cat = pd.Categorical(incidents["source"].astype("string").fillna(""))
    country_cat = pd.Categorical(incidents["country"].astype("string") if "country" in incidents.columns
                                 else pd.Series(pd.NA, index=incidents.index, dtype="string"))
    precision = incidents["geo_precision"].astype("string").fillna("unknown")
    front = incidents["front_distance_km"] if "front_distance_km" in incidents.columns else pd.Series(np.nan, index=incidents.index)
    location, description = _text_columns(incidents)
    killed = pd.to_numeric(incidents["killed"]).to_numpy(dtype=np.float64, na_value=np.nan)
    injured = pd.to_numeric(incidents["injured"]).to_numpy(dtype=np.float64, na_value=np.nan)
    category_values = (incidents["event_category"].astype("string") if "event_category" in incidents.columns
                       else pd.Series(pd.NA, index=incidents.index, dtype="string"))
    missing = category_values.isna().to_numpy(dtype=bool)
    if missing.any():
        # A table built before categories existed: derive them from the records' own coding.
        from geo.scope import assign_event_category

        category_values = category_values.copy()
        category_values[missing] = assign_event_category(incidents[missing])
    category_codes = pd.Categorical(category_values, categories=list(ALL_CATEGORIES)).codes.astype(np.int8)
    if "event_id" in incidents.columns and incidents["event_id"].notna().all() and n:
        event_code = pd.factorize(incidents["event_id"].astype("string"))[0].astype(np.int64)
        head = incidents["event_head"].fillna(False).to_numpy(dtype=bool) if "event_head" in incidents.columns else None
        if head is None or np.bincount(event_code[head], minlength=event_code.max() + 1).min(initial=1) != 1 or \
                head.sum() != event_code.max() + 1:
            head = _first_of_each(event_code)
    else:
        event_code = np.arange(n, dtype=np.int64)
        head = np.ones(n, dtype=bool)
    head_row = np.full(int(event_code.max()) + 1 if n else 0, -1, dtype=np.int64)
    head_row[event_code[head]] = np.flatnonzero(head)
    civilians = (pd.to_numeric(incidents["civilians_killed"]).to_numpy(dtype=np.float64, na_value=np.nan)
                 if "civilians_killed" in incidents.columns else np.full(n, np.nan))
    columns = IncidentColumns(
        day=day,
        lon=incidents["lon"].to_numpy(dtype=np.float64, na_value=np.nan),
        lat=incidents["lat"].to_numpy(dtype=np.float64, na_value=np.nan),
        killed=killed,
        injured=injured,
        target_bits=target_bits,
        weapon_bits=weapon_bits,
        primary_target=primary,
        admin1_codes=admin1_cat.codes.astype(np.int16),
        admin1_values=tuple(str(v) for v in admin1_cat.categories),
        source_codes=source_cat.codes.astype(np.int32),
        source_values=tuple(str(v) for v in source_cat.categories),
        precise=precision.isin(list(PRECISE_GEO)).to_numpy(dtype=bool),
        front_km=pd.to_numeric(front).to_numpy(dtype=np.float64, na_value=np.nan),
        location=location,
        description=description,
        category=category_codes,
        event_code=event_code,
        event_head=head,
        event_killed=killed[head_row][event_code] if n else killed,
        event_injured=injured[head_row][event_code] if n else injured,
        civilians_killed=civilians,
        country_codes=country_cat.codes.astype(np.int16),
        country_values=tuple(str(v) for v in country_cat.categories),
    )
    for item in dataclasses.fields(columns):
        value = getattr(columns, item.name)
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return columns


#: The fields of :class:`IncidentColumns` that are neither arrays of the table's length nor text.
_COLUMN_VALUES = ("admin1_values", "source_values", "country_values")
_COLUMN_TEXTS = ("location", "description")


def columns_to_arrays(columns: IncidentColumns) -> tuple[dict[str, np.ndarray], dict]:
    """Split prepared columns into plain arrays and values (to keep them in a cache file).

    Parameters
    ----------
    columns : IncidentColumns
        From :func:`prepare_columns`.

    Returns
    -------
    tuple of (dict, dict)
        The numpy arrays by field name, and the tuples of distinct values as lists. The text
        columns are left out: :func:`columns_from_arrays` takes them from the table again.
    """
    arrays = {f.name: getattr(columns, f.name) for f in dataclasses.fields(columns)
              if f.name not in _COLUMN_VALUES + _COLUMN_TEXTS}
    return arrays, {name: list(getattr(columns, name)) for name in _COLUMN_VALUES}


def columns_from_arrays(arrays: dict[str, np.ndarray], values: dict, incidents: pd.DataFrame) -> IncidentColumns:
    """Rebuild what :func:`prepare_columns` returned for ``incidents`` from :func:`columns_to_arrays`' parts.

    Parameters
    ----------
    arrays, values : dict
        From :func:`columns_to_arrays` (possibly read back from a cache file).
    incidents : pandas.DataFrame
        The table they were prepared from (gives the text columns).

    Returns
    -------
    IncidentColumns
        Equal to ``prepare_columns(incidents)``; arrays read-only.
    """
    location, description = _text_columns(incidents)
    columns = IncidentColumns(**arrays, **{name: tuple(str(v) for v in values[name]) for name in _COLUMN_VALUES},
                              location=location, description=description)
    for value in arrays.values():
        if value.flags.writeable:
            value.flags.writeable = False
    return columns


def _text_columns(incidents: pd.DataFrame) -> tuple[pa.Array, pa.Array]:
    """Return the searched text columns as Arrow arrays (zero-copy when the columns are Arrow-backed strings)."""
    return pa.array(incidents["location"].astype("string")), pa.array(incidents["description"].astype("string"))


def _first_of_each(codes: np.ndarray) -> np.ndarray:
    first = np.zeros(len(codes), dtype=bool)
    _, index = np.unique(codes, return_index=True)
    first[index] = True
    return first


def filter_mask(incidents: pd.DataFrame | IncidentColumns, filters: Filters) -> np.ndarray:
    """Return which incidents pass ``filters``.

    Parameters
    ----------
    incidents : pandas.DataFrame or IncidentColumns
        The incident table, or its prepared columns (much faster: prepare once, filter often).
    filters : Filters
        What to keep.

    Returns
    -------
    numpy.ndarray
        Boolean mask aligned with the rows of ``incidents``.
    """
    cols = incidents if isinstance(incidents, IncidentColumns) else prepare_columns(incidents)
    mask = np.ones(len(cols), dtype=bool)
    if filters.date_from is not None:
        mask &= cols.day >= (np.datetime64(filters.date_from, "D") - _EPOCH).astype(np.int64)
    if filters.date_to is not None:
        mask &= cols.day <= (np.datetime64(filters.date_to, "D") - _EPOCH).astype(np.int64)
    if filters.target_types:
        mask &= (cols.target_bits & bitmask(filters.target_types, TARGET_TYPES)) != 0
    if filters.weapons:
        mask &= (cols.weapon_bits & bitmask(filters.weapons, WEAPONS)) != 0
    by_event = filters.count_by == "events"
    if not filters.all_categories:
        wanted = [i for i, code in enumerate(ALL_CATEGORIES) if code in set(filters.categories)]
        mask &= np.isin(cols.category, wanted)
    # Counting events, a casualty range applies to the event's headline figures.
    for values, low, high in (
        (cols.event_killed if by_event else cols.killed, filters.killed_min, filters.killed_max),
        (cols.event_injured if by_event else cols.injured, filters.injured_min, filters.injured_max),
    ):
        if low is None and high is None:
            continue
        reported = ~np.isnan(values)
        inside = reported.copy()
        if low is not None:
            inside &= values >= low
        if high is not None:
            inside &= values <= high
        mask &= inside | (~reported if filters.include_not_reported else False)
    if filters.oblasts:
        wanted = [i for i, code in enumerate(cols.admin1_values) if code in set(filters.oblasts)]
        mask &= np.isin(cols.admin1_codes, wanted)
    if filters.front_min_km is not None or filters.front_max_km is not None:
        inside = ~np.isnan(cols.front_km)
        if filters.front_min_km is not None:
            inside &= cols.front_km >= filters.front_min_km
        if filters.front_max_km is not None:
            inside &= cols.front_km <= filters.front_max_km
        mask &= inside
    if filters.precise_only:
        mask &= cols.precise
    if filters.sources:
        wanted = [i for i, key in enumerate(cols.source_values) if key in set(filters.sources)]
        mask &= np.isin(cols.source_codes, wanted)
    if filters.countries and cols.country_codes is not None:
        wanted = [i for i, key in enumerate(cols.country_values) if key in set(filters.countries)]
        mask &= np.isin(cols.country_codes, wanted)
    text = clean_search_text(filters.text)
    if text:
        # A place name also finds its other spellings (Vinnitsa, Вінниця -> Vinnytsia): geo.places.
        found = None
        for term in place_search_terms(text):
            hit = pc.or_kleene(
                pc.match_substring(cols.location, term, ignore_case=True),
                pc.match_substring(cols.description, term, ignore_case=True),
            )
            found = hit if found is None else pc.or_kleene(found, hit)
        mask &= pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    if by_event:
        # An event is kept when any of its records passes; it is shown by its headline record.
        passes = np.zeros(cols.n_events, dtype=bool)
        passes[cols.event_code[mask]] = True
        mask = passes[cols.event_code] & cols.event_head
    return mask


def compute_kpis(incidents: pd.DataFrame | IncidentColumns, mask: np.ndarray) -> dict[str, int]:
    """Return headline totals for the incidents selected by ``mask``.

    Parameters
    ----------
    incidents : pandas.DataFrame or IncidentColumns
        The incident table or its prepared columns.
    mask : numpy.ndarray
        Boolean selection, as from :func:`filter_mask`.

    Returns
    -------
    dict
        ``incidents`` (selected rows: events when ``mask`` selects headline records),
        ``total`` (all rows), ``events_total`` (all events), ``records`` (records behind the
        selection: every record of each selected event), ``killed`` and ``injured`` (sums of
        reported counts, None when no selected row reports one), ``killed_reported`` and
        ``injured_reported`` (selected rows with a figure), ``killed_not_reported`` and
        ``injured_not_reported`` (selected rows without one), ``civilians_killed`` (sum where
        a source counts civilians apart, None when none does) and
        ``civilians_killed_reported``, ``oblasts`` (distinct first-level units affected).
    """
    cols = incidents if isinstance(incidents, IncidentColumns) else prepare_columns(incidents)
    killed = cols.killed[mask]
    injured = cols.injured[mask]
    civilians = cols.civilians_killed[mask] if cols.civilians_killed is not None else np.full(int(mask.sum()), np.nan)
    selected_events = np.zeros(cols.n_events, dtype=bool)
    selected_events[cols.event_code[mask]] = True
    records = int(selected_events[cols.event_code].sum())
    admin1 = cols.admin1_codes[mask]
    present = np.bincount(admin1[admin1 >= 0], minlength=len(cols.admin1_values)) if len(cols.admin1_values) else np.zeros(0)
    killed_reported = int((~np.isnan(killed)).sum())
    injured_reported = int((~np.isnan(injured)).sum())
    civilians_reported = int((~np.isnan(civilians)).sum())
    return {
        "incidents": int(mask.sum()),
        "total": len(cols),
        "events_total": cols.n_events,
        "records": records,
        "killed": int(np.nansum(killed)) if killed_reported else None,
        "injured": int(np.nansum(injured)) if injured_reported else None,
        "killed_reported": killed_reported,
        "injured_reported": injured_reported,
        "killed_not_reported": int(np.isnan(killed).sum()),
        "injured_not_reported": int(np.isnan(injured).sum()),
        "civilians_killed": int(np.nansum(civilians)) if civilians_reported else None,
        "civilians_killed_reported": civilians_reported,
        "oblasts": int((present > 0).sum()),
    }


def cell_mask(incidents: IncidentColumns, mask: np.ndarray, cell: tuple[float, float, float, float] | None) -> np.ndarray:
    """Narrow ``mask`` to the incidents inside one map grid cell (the one rule of the map and its list).

    Parameters
    ----------
    incidents : IncidentColumns
        Prepared columns.
    mask : numpy.ndarray of bool
        The filtered rows.
    cell : tuple of float or None
        ``(west, south, east, north)`` in degrees, half-open (``west <= lon < east``,
        ``south <= lat < north``) like the grid bins; None or empty: ``mask`` unchanged.

    Returns
    -------
    numpy.ndarray of bool
        ``mask`` and inside the cell.
    """
    if not cell:
        return mask
    west, south, east, north = cell
    lon, lat = incidents.lon, incidents.lat
    return mask & (lon >= west) & (lon < east) & (lat >= south) & (lat < north)


def date_bounds(incidents: IncidentColumns, mask: np.ndarray | None = None) -> tuple[dt.date, dt.date] | None:
    """Return the first and last incident date (of the masked rows), or None when empty.

    Parameters
    ----------
    incidents : IncidentColumns
        Prepared columns.
    mask : numpy.ndarray, optional
        Restrict to these rows.

    Returns
    -------
    tuple of datetime.date or None
        ``(first, last)``.
    """
    days = incidents.day if mask is None else incidents.day[mask]
    if len(days) == 0:
        return None
    return _day_to_date(int(days.min())), _day_to_date(int(days.max()))


def _day_to_date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=day)


def _format_date(value: dt.date, lang: str = "en") -> str:
    if translator(lang).lang == "en":
        return f"{value.day} {value:%b %Y}"
    return translator(lang).date(value)


def _format_number(value, lang: str = "en") -> str:
    """Return a bound as the user typed it: ``12.5``, ``-20``, ``1000`` (``12,5`` in Ukrainian)."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if translator(lang).lang == "en" or "e" in text:
        return text
    digits = len(text.split(".")[1]) if "." in text else 0
    return translator(lang).number(value, digits)


#: Range phrases (both bounds, lower only, upper only).
_KILLED_RANGE = (N_("killed {low} to {high}"), N_("killed at least {low}"), N_("killed at most {high}"))
_INJURED_RANGE = (N_("injured {low} to {high}"), N_("injured at least {low}"), N_("injured at most {high}"))
_FRONT_RANGE = (N_("distance from the front {low} to {high} km"), N_("distance from the front at least {low} km"),
                N_("distance from the front at most {high} km"))


def _describe_range(words: tuple[str, str, str], low, high, lang: str = "en") -> str:
    _ = translator(lang)
    if low is not None and high is not None:
        return _(words[0], low=_format_number(low, lang), high=_format_number(high, lang))
    if low is not None:
        return _(words[1], low=_format_number(low, lang))
    return _(words[2], high=_format_number(high, lang))


def _single(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return str(value[-1]) if value else None
    return str(value)


def _multi(value, split_commas: bool) -> list[str]:
    if value is None:
        return []
    items = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    if split_commas:
        items = [part for item in items for part in item.split(",")]
    return [item.strip() for item in items if item.strip()]


def _quoted(text: str, lang: str = "en") -> str:
    """``text`` in the quotation marks of the language (“…” in English, «…» in Ukrainian)."""
    if translator(lang).lang == "uk":
        return f"\u00ab{text}\u00bb"
    return f"\u201c{text}\u201d"


def _quote(text: str, lang: str = "en") -> str:
    return _quoted(clean_search_text(str(text))[:40], lang)

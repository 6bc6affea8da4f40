"""Session and URL state: widget keys, Filters <-> widgets, and the shareable query string.

The URL is read once per session (the first run) and written back on every run, so a
link always reproduces what is on screen: the page (URL path), the filters, the map date,
the selected incident, the selected map cell and the map's centre and zoom. Invalid values fall back to defaults and
leave a notice for the page to show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path

import streamlit as st

from geo.filters import ALL_CATEGORIES, CASUALTY_BOUND_MAX, COUNT_MODES, FILTER_PARAM_KEYS, Filters
from geo.scope import CIVILIAN_HARM
from ui.i18n import _, current_language
from ui.text import escape_md

URL_LOADED_KEY = "url_loaded"
NOTICES_KEY = "url_notices"

# Widget keys: one per filter control, prefixed by area.
K_DATES = "flt_dates"
K_TARGETS = "flt_targets"
K_WEAPONS = "flt_weapons"
K_KMIN, K_KMAX, K_IMIN, K_IMAX = "flt_kmin", "flt_kmax", "flt_imin", "flt_imax"
K_NOT_REPORTED = "flt_not_reported"
K_OBLASTS = "flt_oblasts"
K_FRONT_ON = "flt_front_on"
K_FRONT = "flt_front"
K_PRECISE = "flt_precise"
K_SOURCES = "flt_sources"
K_TEXT = "flt_text"
K_CATS = "flt_cats"
K_COUNT = "flt_count"
K_COUNTRIES = "flt_countries"

MAP_DATE = "map_date"
MAP_DATE_AUTO = "map_date_auto"
MAP_SELECTED = "map_selected"
MAP_CELL = "map_cell"
#: The map's centre and zoom as ``((lat, lon), zoom)``; None = Ukraine fitted to the map's width.
MAP_VIEW = "map_view"
MAP_LAST_CLICK = "map_last_click"
MAP_TILES = "map_tiles"
MAP_TILES_ATTR = "map_tiles_attr"
#: Export files this session has rendered, by :func:`export_token` (reruns do not render again).
EXPORT_CACHE_KEY = "exp_files"

FRONT_RANGE = (-100, 1000)
MAP_DATE_RANGE = (dt.date(1991, 8, 24), dt.date(2100, 1, 1))
STATE_PARAM_KEYS = ("md", "sel", "cell", "mc", "mz")
#: Leaflet limits of the app's map (geo.viz.map.build_base_map): zoom range and step.
MAP_ZOOM_RANGE = (4.0, 16.0)
MAP_ZOOM_STEP = 0.25
MAP_DEFAULT_CENTER = (48.6, 31.2)
MAP_DEFAULT_ZOOM = 5.5
CARRY_KEY = "_carry_state"
#: Widget values that are not filters but must survive st.switch_page (which drops every widget's state).
CARRIED_WIDGETS = (MAP_DATE, "map_tiles_on", MAP_TILES, MAP_TILES_ATTR)


def add_notice(text: str) -> None:
    """Queue a plain-text notice for the page (shown escaped)."""
    st.session_state.setdefault(NOTICES_KEY, []).append(text)


def show_notices() -> None:
    """Show and clear queued notices as one warning."""
    notices = st.session_state.pop(NOTICES_KEY, [])
    if notices:
        items = "\n".join(f"- {escape_md(n)}" for n in notices)
        st.warning(_("Parts of the link were not understood and were reset:") + "\n\n" + items)


def read_url_once(
    date_bounds: tuple[dt.date, dt.date] | None, known_sources: tuple[str, ...], known_ids, front_available: bool = True
) -> None:
    """On a session's first run, seed widgets and map state from ``st.query_params``."""
    if st.session_state.get(URL_LOADED_KEY):
        return
    st.session_state[URL_LOADED_KEY] = True
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    filters, notices = Filters.from_query_params(params, known_sources=known_sources)
    if not front_available and (filters.front_min_km is not None or filters.front_max_km is not None):
        filters = filters.replace(front_min_km=None, front_max_km=None)
        notices.append(_("The link's distance-from-the-front band was ignored: no front-line layer is loaded."))
    if date_bounds is not None:
        low, high = date_bounds
        changes = {}
        for name in ("date_from", "date_to"):
            value = getattr(filters, name)
            if value is not None and not (low <= value <= high):
                clamped = min(max(value, low), high)
                changes[name] = clamped
                notices.append(_("The date {date} lies outside the data ({first} to {last}); used {used}.",
                                 date=value.isoformat(), first=low.isoformat(), last=high.isoformat(),
                                 used=clamped.isoformat()))
        filters = filters.replace(**changes)
    set_widgets_from_filters(filters, date_bounds)
    raw_date = _last(params.get("md"))
    if raw_date:
        try:
            when = dt.date.fromisoformat(raw_date.strip())
        except ValueError:
            notices.append(_("Ignored the map date \u201c{value}\u201d: use the form YYYY-MM-DD.", value=raw_date[:40]))
        else:
            if MAP_DATE_RANGE[0] <= when <= MAP_DATE_RANGE[1]:
                st.session_state[MAP_DATE] = when
                st.session_state[MAP_DATE_AUTO] = False
            else:
                notices.append(_("Ignored the map date {date}: it must lie between {first} and {last}.",
                                 date=when.isoformat(), first=MAP_DATE_RANGE[0].isoformat(),
                                 last=MAP_DATE_RANGE[1].isoformat()))
    raw_sel = _last(params.get("sel"))
    if raw_sel:
        if raw_sel in known_ids:
            st.session_state[MAP_SELECTED] = raw_sel
        else:
            notices.append(_("The incident \u201c{id}\u201d in the link is not in the loaded data.", id=raw_sel[:60]))
    raw_center, raw_zoom = _last(params.get("mc")), _last(params.get("mz"))
    if raw_center or raw_zoom:
        view = parse_map_view(raw_center, raw_zoom)
        if view is None:
            notices.append(_("Ignored the map view \u201c{value}\u201d: expected mc=latitude,longitude and mz=zoom "
                             "(4 to 16).", value=f"mc={(raw_center or '')[:40]}&mz={(raw_zoom or '')[:10]}"))
        else:
            st.session_state[MAP_VIEW] = view
    raw_cell = _last(params.get("cell"))
    if raw_cell:
        cell = parse_cell(raw_cell)
        if cell is None:
            notices.append(_("Ignored the map cell \u201c{value}\u201d: expected west,south,east,north in degrees.",
                             value=raw_cell[:60]))
        else:
            st.session_state[MAP_CELL] = cell
    for notice in notices:
        add_notice(notice)


#: Page controls kept in the shareable link: widget key -> query parameter.
PAGE_PARAMS: dict[str, str] = {
    "trd_freq": "tf", "trd_measure": "tm", "trd_split": "ts",
    "far_threshold": "ft", "far_bands": "fb", "far_imprecise": "fi", "far_measure": "fm",
    "obl_value": "ov",
}


def url_value(key: str, default, parse):
    """Return a page control's starting value: the link's (parsed, valid) value, else ``default``.

    Keyed widgets keep their identity when their default changes, so the link only seeds
    a control the first time it is drawn; afterwards :func:`keep_in_url` mirrors it.
    """
    raw = st.query_params.get(PAGE_PARAMS[key])
    if raw is None:
        return default
    try:
        value = parse(str(raw)[:200])
    except (ValueError, TypeError, KeyError):
        notice = _("Ignored \u201c{param}\u201d in the link: not a valid value.", param=f"{PAGE_PARAMS[key]}={str(raw)[:40]}")
        if notice not in st.session_state.get(NOTICES_KEY, []):
            add_notice(notice)
        return default
    return default if value is None else value


def keep_in_url(key: str, value, default) -> None:
    """Put a page control's value in the link (and take it out when it is the default)."""
    param = PAGE_PARAMS[key]
    if isinstance(value, bool):
        text = "1" if value else "0"
    elif value is None:
        text = "none"
    else:
        text = str(value)
    if value == default:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != text:
        st.query_params[param] = text


def parse_choice(options):
    """Return a parser accepting only ``options`` ("none" stands for None)."""
    def parse(text: str):
        value = None if text == "none" else text
        if value not in options:
            raise ValueError(text)
        return value
    return parse


def parse_bool(text: str) -> bool:
    """Parse "1"/"0" (also true/false)."""
    if text.lower() in ("1", "true"):
        return True
    if text.lower() in ("0", "false"):
        return False
    raise ValueError(text)


def parse_int_in(low: int, high: int):
    """Return a parser of an integer clamped to [low, high]."""
    def parse(text: str) -> int:
        return min(max(int(float(text)), low), high)
    return parse


def switch_page(page: str | Path, filters: Filters) -> None:
    """Go to ``page`` keeping the filters and map state.

    ``st.switch_page`` starts the new page without the browser's widget states, so
    Streamlit forgets every widget value (number inputs fall back to 0, the search is
    emptied). The current state is parked under a plain key and put back into the
    widgets by :func:`restore_carried` before the sidebar draws them.
    """
    ss = st.session_state
    ss[CARRY_KEY] = (filters, {key: ss[key] for key in CARRIED_WIDGETS if key in ss})
    st.switch_page(page)


def restore_carried(date_bounds: tuple[dt.date, dt.date] | None) -> None:
    """Put state parked by :func:`switch_page` back into the widgets (once)."""
    carried = st.session_state.pop(CARRY_KEY, None)
    if not carried:
        return
    filters, widgets = carried
    set_widgets_from_filters(filters, date_bounds)
    for key, value in widgets.items():
        st.session_state[key] = value


def parse_cell(text: str) -> tuple[float, float, float, float] | None:
    """Parse ``west,south,east,north`` into a valid bounding box, or None."""
    try:
        west, south, east, north = (float(v) for v in str(text).split(","))
    except ValueError:
        return None
    values = (west, south, east, north)
    if not all(math.isfinite(v) for v in values) or not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return values


def _finite(text) -> float | None:
    try:
        value = float(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def parse_map_view(center: str | None, zoom: str | None) -> tuple[tuple[float, float], float] | None:
    """Parse the link's map view (``mc=lat,lon``, ``mz=zoom``) into ``((lat, lon), zoom)``, or None.

    Values out of range are clamped (latitude to +-85, longitude to +-180, zoom to
    :data:`MAP_ZOOM_RANGE` in steps of :data:`MAP_ZOOM_STEP`); text that is not two finite
    numbers and a finite number is refused (None). A missing half takes the default
    (Ukraine's centre, the national zoom).
    """
    lat, lon = MAP_DEFAULT_CENTER
    if center:
        parts = str(center)[:80].split(",")
        if len(parts) != 2:
            return None
        lat, lon = _finite(parts[0]), _finite(parts[1])
        if lat is None or lon is None:
            return None
    level = MAP_DEFAULT_ZOOM
    if zoom:
        level = _finite(str(zoom)[:20])
        if level is None:
            return None
    level = round(min(max(level, MAP_ZOOM_RANGE[0]), MAP_ZOOM_RANGE[1]) / MAP_ZOOM_STEP) * MAP_ZOOM_STEP
    return (round(min(max(lat, -85.0), 85.0), 5), round(min(max(lon, -180.0), 180.0), 5)), float(level)


def format_map_view(view: tuple[tuple[float, float], float]) -> dict[str, str]:
    """Return a map view as the link's ``mc`` and ``mz`` values (5 decimals, about a metre)."""
    (lat, lon), zoom = view

    def number(value: float, places: int) -> str:
        text = f"{round(float(value), places):.{places}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text

    return {"mc": f"{number(lat, 5)},{number(lon, 5)}", "mz": number(zoom, 2)}


def set_widgets_from_filters(filters: Filters, date_bounds: tuple[dt.date, dt.date] | None) -> None:
    """Put ``filters`` into the sidebar widgets' session-state keys."""
    ss = st.session_state
    if date_bounds is not None:
        ss[K_DATES] = (filters.date_from or date_bounds[0], filters.date_to or date_bounds[1])
    ss[K_TARGETS] = list(filters.target_types)
    ss[K_WEAPONS] = list(filters.weapons)
    ss[K_KMIN], ss[K_KMAX] = filters.killed_min, filters.killed_max
    ss[K_IMIN], ss[K_IMAX] = filters.injured_min, filters.injured_max
    ss[K_NOT_REPORTED] = filters.include_not_reported
    ss[K_OBLASTS] = list(filters.oblasts)
    front_on = filters.front_min_km is not None or filters.front_max_km is not None
    ss[K_FRONT_ON] = front_on
    low = FRONT_RANGE[0] if filters.front_min_km is None else max(FRONT_RANGE[0], min(FRONT_RANGE[1], filters.front_min_km))
    high = FRONT_RANGE[1] if filters.front_max_km is None else max(FRONT_RANGE[0], min(FRONT_RANGE[1], filters.front_max_km))
    ss[K_FRONT] = (float(low), float(high))
    ss[K_PRECISE] = filters.precise_only
    ss[K_SOURCES] = list(filters.sources)
    ss[K_TEXT] = filters.text
    ss[K_CATS] = list(ALL_CATEGORIES) if filters.all_categories else list(filters.categories)
    ss[K_COUNT] = filters.count_by
    ss[K_COUNTRIES] = list(filters.countries)


def current_filters(date_bounds: tuple[dt.date, dt.date] | None = None, front_available: bool = True) -> Filters:
    """Return the Filters the sidebar widgets currently express."""
    ss = st.session_state
    date_from = date_to = None
    dates = ss.get(K_DATES)
    if isinstance(dates, (tuple, list)) and dates:
        date_from = dates[0]
        date_to = dates[1] if len(dates) > 1 else None
        if date_bounds is not None:
            date_from = None if date_from == date_bounds[0] else date_from
            date_to = None if date_to == date_bounds[1] else date_to
    front_min = front_max = None
    if front_available and ss.get(K_FRONT_ON):
        low, high = ss.get(K_FRONT, FRONT_RANGE)
        front_min = None if low <= FRONT_RANGE[0] else float(low)
        front_max = None if high >= FRONT_RANGE[1] else float(high)
    return Filters(
        date_from=date_from,
        date_to=date_to,
        target_types=tuple(ss.get(K_TARGETS) or ()),
        weapons=tuple(ss.get(K_WEAPONS) or ()),
        killed_min=_as_int(ss.get(K_KMIN)),
        killed_max=_as_int(ss.get(K_KMAX)),
        injured_min=_as_int(ss.get(K_IMIN)),
        injured_max=_as_int(ss.get(K_IMAX)),
        include_not_reported=bool(ss.get(K_NOT_REPORTED, False)),
        oblasts=tuple(ss.get(K_OBLASTS) or ()),
        front_min_km=front_min,
        front_max_km=front_max,
        precise_only=bool(ss.get(K_PRECISE, False)),
        sources=tuple(ss.get(K_SOURCES) or ()),
        text=str(ss.get(K_TEXT) or ""),
        categories=_categories(ss.get(K_CATS, list(CIVILIAN_HARM))),
        count_by=ss.get(K_COUNT) if ss.get(K_COUNT) in COUNT_MODES else "events",
        countries=tuple(ss.get(K_COUNTRIES) or ()),
    )


def _categories(selected) -> tuple[str, ...]:
    chosen = tuple(c for c in (selected or ()) if c in ALL_CATEGORIES)
    return ALL_CATEGORIES if not chosen or set(chosen) >= set(ALL_CATEGORIES) else chosen


def state_params(filters: Filters) -> dict[str, str | list[str]]:
    """Return the full shareable state as query parameters."""
    params = filters.to_query_params()
    ss = st.session_state
    if not ss.get(MAP_DATE_AUTO, True) and isinstance(ss.get(MAP_DATE), dt.date):
        params["md"] = ss[MAP_DATE].isoformat()
    if ss.get(MAP_SELECTED):
        params["sel"] = str(ss[MAP_SELECTED])
    if ss.get(MAP_CELL):
        params["cell"] = ",".join(f"{v:g}" for v in ss[MAP_CELL])
    if ss.get(MAP_VIEW):
        params.update(format_map_view(ss[MAP_VIEW]))
    return params


def write_url(filters: Filters) -> None:
    """Make ``st.query_params`` hold exactly the current state (only when it differs)."""
    wanted = {k: ([v] if isinstance(v, str) else list(v)) for k, v in state_params(filters).items()}
    ours = set(FILTER_PARAM_KEYS) | set(STATE_PARAM_KEYS)
    current = {k: st.query_params.get_all(k) for k in st.query_params if k in ours}
    if current == wanted:
        return
    for key in list(st.query_params):
        if key in ours and key not in wanted:
            del st.query_params[key]
    for key, values in wanted.items():
        if current.get(key) != values:
            st.query_params[key] = values if len(values) > 1 else values[0]


def _as_int(value) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return min(max(0, number), CASUALTY_BOUND_MAX)


def _last(values) -> str | None:
    if not values:
        return None
    return str(values[-1]) if isinstance(values, list) else str(values)


def export_token(view, *extra) -> str:
    """Return a short key of a view's data and filters, the language and ``extra`` (what an export depends on)."""
    raw = repr((view.key, view.filters, current_language(), extra))  # exports hold text: one per language
    return hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def stored_export(token: str) -> dict | None:
    """Return the export files kept for ``token`` in this session, or None."""
    return st.session_state.setdefault(EXPORT_CACHE_KEY, {}).get(token)


def store_export(token: str, files: dict) -> None:
    """Keep export files for ``token`` so reruns do not render again."""
    st.session_state.setdefault(EXPORT_CACHE_KEY, {})[token] = files

"""The incident layer: one marker per incident, its tooltip and popup, and the marker legend.

Markers are emitted as one compact JSON payload plus a short script instead of one folium
object per point (Python-side building dominates folium's cost at scale); untrusted text
reaches the browser only through ``textContent`` or after HTML escaping.
"""

from __future__ import annotations

import html
import math
import re

import folium
import numpy as np
import pandas as pd

from geo.admin1 import ADMIN1, oblast_label
from geo.fusion import describe_sources
from geo.i18n import N_, Translator, translator
from geo.taxonomy import GEO_PRECISION_WORDS, TARGET_TYPES, WEAPONS, short_label
from geo.viz.map.clicks import TOKEN_CLOSE, TOKEN_OPEN
from geo.viz.map.shared import (
    LEGEND_OPEN_FROM_PX,
    LEGEND_WIDTH_PX,
    MapControl,
    PayloadLayer,
    map_date_text,
    number_symbols,
)
from geo.viz.mapcore import js_literal as _js_literal

DESCRIPTION_CHARS = 160
MAX_LINKS = 3
#: Display classes for the primary target type, coloured with Paul Tol's "muted" palette
#: (distinguishable with the common colour-vision deficiencies); grey = other/unknown.
TARGET_CLASSES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("residential", N_("Residential"), "#CC6677", ("residential",)),
    ("education", N_("Education"), "#332288", ("education",)),
    ("healthcare", N_("Healthcare"), "#DDCC77", ("healthcare",)),
    ("utilities", N_("Energy and water"), "#117733", ("energy", "water")),
    ("transport", N_("Transport"), "#88CCEE", ("transport",)),
    ("economic", N_("Commercial, industrial, food"), "#882255", ("commercial", "industrial", "agriculture_food")),
    ("civic", N_("Cultural, religious, government"), "#44AA99", ("cultural", "religious", "government")),
    ("humanitarian", N_("Humanitarian"), "#999933", ("humanitarian",)),
    ("military", N_("Military"), "#AA4499", ("military",)),
    ("other", N_("Other or unknown"), "#BBBBBB", ("other", "unknown")),
)
_CLASS_OF_TARGET = np.array(
    [next(i for i, (_, _, _, codes) in enumerate(TARGET_CLASSES) if code in codes) for code in TARGET_TYPES], dtype=np.int16
)


class _IncidentMarkers(PayloadLayer):
    script_body = """
            function el(tag, text, css) {
                var e = document.createElement(tag);
                if (text !== null && text !== undefined) { e.textContent = String(text); }
                if (css) { e.style.cssText = css; }
                return e;
            }
            function names(idx, table) {
                return idx.length ? idx.map(function(i) { return table[i]; }).join(", ") : D.nr;
            }
            function count(v) { return v === null ? D.nr : num(v, D); }
            function fill(text, values) {
                return text.replace(/\\{(\\w+)\\}/g, function(all, key) { return key in values ? values[key] : all; });
            }
            function eventSources(ev) {
                var wrap = el("div", null, "margin:4px 0;border-top:1px solid #ddd;padding-top:4px");
                wrap.className = "cm-event-sources";
                wrap.appendChild(el("div", ev[0], "font-weight:bold"));
                var list = el("ul", null, "margin:2px 0;padding-left:16px");
                ev[1].forEach(function(s) {
                    var li = el("li", null, "");
                    var fig = fill(D.words.fig, {killed: count(s[1]), injured: count(s[2])});
                    if (s[3] !== null) { fig += ", " + fill(D.words.civ, {n: count(s[3])}); }
                    li.appendChild(el("span", s[0] + ": " + fig, ""));
                    if (s[5]) { li.appendChild(el("div", s[5] + (s[6] ? " (" + s[6] + ")" : ""), "color:#555")); }
                    s[4].forEach(function(u) {
                        var a = el("a", u.replace(/^https?:\\/\\//i, "").split("/")[0] || u, "margin-right:6px");
                        a.href = u; a.target = "_blank"; a.rel = "noopener noreferrer";
                        li.appendChild(document.createTextNode(" ")); li.appendChild(a);
                    });
                    list.appendChild(li);
                });
                wrap.appendChild(list);
                return wrap;
            }
            function popup(r) {
                var box = el("div", null, "font:12px/1.4 sans-serif;max-width:300px");
                box.className = "cm-popup";
                box.appendChild(el("div", r[7], "font-weight:bold;font-size:13px"));
                var W = D.words;
                var rows = [[W.date, r[6]], [W.oblast, D.o[r[8]]], [W.target, names(r[9], D.t)],
                            [W.weapon, names(r[10], D.w)], [W.killed, count(r[11])], [W.injured, count(r[12])],
                            [W.front, r[13] === null ? D.na : fill(W.km, {km: num(r[13], D)})],
                            [W.precision, D.p[r[16]]]];
                var table = el("table", null, "border-collapse:collapse;margin:4px 0");
                rows.forEach(function(pair) {
                    var tr = document.createElement("tr");
                    tr.appendChild(el("th", pair[0], "text-align:left;padding-right:6px;font-weight:normal;color:#555"));
                    tr.appendChild(el("td", pair[1], ""));
                    table.appendChild(tr);
                });
                box.appendChild(table);
                if (r[14]) { box.appendChild(el("p", r[14], "margin:4px 0;white-space:pre-wrap")); }
                if (r[17] && r[17][1].length) { box.appendChild(eventSources(r[17])); }
                r[15].forEach(function(u) {
                    if (!/^https?:\\/\\//i.test(u)) { return; }
                    var a = el("a", u.replace(/^https?:\\/\\//i, "").split("/")[0] || u, "display:inline-block;margin-right:6px");
                    a.href = u; a.target = "_blank"; a.rel = "noopener noreferrer";
                    box.appendChild(a);
                });
                return box;
            }
            D.rows.forEach(function(r) {
                var color = D.colors[r[2]];
                var opts = r[4]
                    ? {radius: r[3], color: color, weight: 2, dashArray: "3 3", fill: true, fillColor: color,
                       fillOpacity: 0.08, className: "cm-incident cm-imprecise"}
                    : {radius: r[3], color: "#222", weight: 1, fillColor: color, fillOpacity: 0.85, className: "cm-incident"};
                var m = L.circleMarker([r[0], r[1]], opts);
                m.bindTooltip("<b>" + esc(r[7]) + "</b><br>" + esc(r[6]) + " \u00b7 " + esc(names(r[9], D.t))
                    + "<span style='display:none'> " + D.open + esc(r[5]) + D.close + "</span>");
                m.bindPopup(function() { return popup(r); }, {maxWidth: 320});
                parent.addLayer(m);
            });
            if (D.selected) {
                parent.addLayer(L.circleMarker([D.selected[0], D.selected[1]], {
                    radius: D.selected[2] + 5, color: "#000", weight: 3, fill: false, interactive: false,
                    className: "cm-selected"
                }));
            }
    """

    def __init__(self, rows: list[list], tables: dict[str, list[str]], selected: list | None, lang: str = "en"):
        super().__init__()
        self._name = "IncidentMarkers"
        self.rows = rows
        _ = translator(lang)
        words = {"date": _("Date"), "oblast": _("Oblast"), "target": _("Target"), "weapon": _("Weapon"),
                 "killed": _("Killed"), "injured": _("Injured"), "front": _("From the front"),
                 "precision": _("Location precision"), "km": _("{km} km"),
                 "fig": _("killed {killed}, injured {injured}"), "civ": _("civilians killed {n}")}
        self.payload = _js_literal(
            {
                "rows": rows,
                **tables,
                "colors": [color for _key, _label, color, _codes in TARGET_CLASSES],
                "selected": selected,
                "nr": _("not reported"),
                "na": _("not available"),
                "words": words,
                **number_symbols(_),
                "open": TOKEN_OPEN,
                "close": TOKEN_CLOSE,
            }
        )


def marker_radius(killed: np.ndarray, injured: np.ndarray) -> np.ndarray:
    """Return marker radii in pixels: 4 px plus the square root of reported casualties, at most 18.

    Parameters
    ----------
    killed, injured : numpy.ndarray
        Counts, NaN = not reported.

    Returns
    -------
    numpy.ndarray
        float radii, rounded to 0.5 px.
    """
    total = np.nan_to_num(killed) + np.nan_to_num(injured)
    return np.round(np.minimum(4 + 1.6 * np.sqrt(total), 18) * 2) / 2


def target_class(primary_target: np.ndarray) -> np.ndarray:
    """Map primary target-type indices (into ``TARGET_TYPES``) to :data:`TARGET_CLASSES` indices.

    Parameters
    ----------
    primary_target : numpy.ndarray
        int indices into :data:`geo.taxonomy.TARGET_TYPES`.

    Returns
    -------
    numpy.ndarray
        int16 class indices.
    """
    return _CLASS_OF_TARGET[np.asarray(primary_target, dtype=np.int64)]


def incident_rows(
    incidents: pd.DataFrame, primary_target: np.ndarray | None = None, sources: list[list] | None = None,
    lang: str = "en",
) -> tuple[list[list], dict[str, list[str]]]:
    """Turn incidents into the compact marker records the incident layer draws.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Canonical incidents (a few thousand at most).
    primary_target : numpy.ndarray, optional
        Index of each row's first target type in ``TARGET_TYPES``; derived when omitted.
    sources : list of list, optional
        Per row, its event's records (:func:`geo.fusion.event_source_entries`); the popup
        then lists every source with its own figures and links.
    lang : str
        Language of the words in the records and tables (dates, oblast names, target and weapon
        labels, location precision, the sources sentence); data text is never translated.

    Returns
    -------
    list of list
        ``[lat, lon, class, radius, imprecise, id, date, place, oblast, targets, weapons,
        killed, injured, front_km, description, urls, precision, event]`` (``event`` is
        ``[sentence, entries]`` or None); ``oblast``,
        ``targets``, ``weapons`` and ``precision`` are indices into the lookup tables. Text
        is raw: the browser inserts it as text, never as markup.
    dict
        Lookup tables ``o`` (oblast names), ``t`` (target labels), ``w`` (weapon labels),
        ``p`` (location precisions).
    """
    n = len(incidents)
    _ = translator(lang)
    tables: dict[str, list[str]] = {
        "t": [short_label(code, TARGET_TYPES, lang) for code in TARGET_TYPES],
        "w": [short_label(code, WEAPONS, lang) for code in WEAPONS],
        "o": [],
        "p": [],
    }
    if n == 0:
        return [], tables
    codes = {code: i for i, code in enumerate(TARGET_TYPES)}
    if primary_target is None:
        primary_target = np.array(
            [codes.get(v[0], codes["other"]) if v is not None and len(v) else codes["unknown"] for v in incidents["target_types"]],
            dtype=np.int16,
        )
    killed = pd.to_numeric(incidents["killed"]).to_numpy(dtype=np.float64, na_value=np.nan)
    injured = pd.to_numeric(incidents["injured"]).to_numpy(dtype=np.float64, na_value=np.nan)
    radius = marker_radius(killed, injured)
    cls = target_class(primary_target)
    precision = incidents["geo_precision"].astype("string").fillna("unknown")
    imprecise = ~precision.isin(["exact", "near"]).to_numpy(dtype=bool)
    front = (
        pd.to_numeric(incidents["front_distance_km"]).to_numpy(dtype=np.float64, na_value=np.nan)
        if "front_distance_km" in incidents.columns
        else np.full(n, np.nan)
    )
    dates = _date_texts(incidents["date"], _)
    oblast_cat = pd.Categorical(_oblast_names(incidents, _))
    tables["o"] = [str(v) for v in oblast_cat.categories]
    oblast = oblast_cat.codes.tolist()
    precision_cat = pd.Categorical(precision)
    tables["p"] = [_(GEO_PRECISION_WORDS[v]) if v in GEO_PRECISION_WORDS else str(v) for v in precision_cat.categories]
    precision_idx = precision_cat.codes.tolist()
    target_index = {code: i for i, code in enumerate(TARGET_TYPES)}
    weapon_index = {code: i for i, code in enumerate(WEAPONS)}
    place = incidents["location"].astype("string").fillna(_("place not given")).tolist()
    ids = incidents["incident_id"].astype("string").fillna("").tolist()
    desc = incidents["description"].astype("string").fillna("").tolist()
    lat = np.round(incidents["lat"].to_numpy(dtype=np.float64), 5).tolist()
    lon = np.round(incidents["lon"].to_numpy(dtype=np.float64), 5).tolist()
    url_lists = incidents["source_urls"].tolist()
    target_lists = incidents["target_types"].tolist()
    weapon_lists = incidents["weapons"].tolist()
    killed_list = [None if math.isnan(v) else int(v) for v in killed.tolist()]
    injured_list = [None if math.isnan(v) else int(v) for v in injured.tolist()]
    front_list = [None if math.isnan(v) else round(v, 1) for v in front.tolist()]
    radius_list = radius.tolist()
    cls_list = cls.tolist()
    imprecise_list = imprecise.astype(int).tolist()
    http = re.compile(r"^https?://", re.IGNORECASE)
    rows = []
    for i in range(n):
        text = str(desc[i])
        if len(text) > DESCRIPTION_CHARS:
            text = text[: DESCRIPTION_CHARS - 1].rstrip() + "\u2026"
        listed = url_lists[i]
        urls = [str(u) for u in (listed if listed is not None else ()) if http.match(str(u))]
        rows.append(
            [
                lat[i],
                lon[i],
                cls_list[i],
                radius_list[i],
                imprecise_list[i],
                str(ids[i]),
                dates[i],
                str(place[i]),
                oblast[i],
                _indices(target_lists[i], target_index),
                _indices(weapon_lists[i], weapon_index),
                killed_list[i],
                injured_list[i],
                front_list[i],
                text,
                [u[:500] for u in urls[:MAX_LINKS]],
                precision_idx[i],
                [describe_sources(sources[i], sentence=True, lang=lang), sources[i]]
                if sources is not None and sources[i] else None,
            ]
        )
    return rows, tables


def _date_texts(values: pd.Series, _: Translator) -> list[str]:
    """Each incident's date as the map writes it (:func:`map_date_text`); each distinct date formatted once."""
    days = pd.to_datetime(values).dt.normalize()
    if _.lang == "en":
        return days.dt.strftime("%Y-%m-%d").fillna(_("date unknown")).tolist()
    shown = {day: map_date_text(day.date(), _) for day in days.dropna().unique()}
    return days.map(shown).fillna(_("date unknown")).tolist()


def _oblast_names(incidents: pd.DataFrame, _: Translator) -> pd.Series:
    """Each incident's oblast as the popup names it: the table's name in English, the Ukrainian name by code."""
    if "admin1_name" not in incidents.columns and "admin1_iso" not in incidents.columns:
        return pd.Series([_("not assigned")] * len(incidents), dtype="string")
    names = (incidents["admin1_name"].astype("string") if "admin1_name" in incidents.columns
             else pd.Series(pd.NA, index=incidents.index, dtype="string"))
    if _.lang != "en" and "admin1_iso" in incidents.columns:
        local = {iso: oblast_label(iso, _.lang) for iso in ADMIN1}
        names = incidents["admin1_iso"].map(local).astype("string").fillna(names)
    return names.fillna(_("outside the oblast layer"))


def display_target(target_lists, selected: tuple[str, ...], primary: np.ndarray) -> np.ndarray:
    """Return the target type that colours each marker: a selected one when the filter names any.

    An incident hitting a school and homes is coloured as Residential when the filter
    asks for Residential, so the legend never shows a class the filter excluded.

    Parameters
    ----------
    target_lists : sequence of list of str
        Each incident's target type codes (only the markers drawn: a few thousand at most).
    selected : tuple of str
        Target types the filter keeps (empty = all).
    primary : numpy.ndarray
        Index in ``TARGET_TYPES`` of each incident's first target type.

    Returns
    -------
    numpy.ndarray
        Index in ``TARGET_TYPES`` per incident.
    """
    out = np.asarray(primary, dtype=np.int16).copy()
    if not selected:
        return out
    index = {code: i for i, code in enumerate(TARGET_TYPES)}
    chosen = set(selected)
    for k, targets in enumerate(target_lists):
        hit = next((code for code in (targets if targets is not None else ()) if code in chosen), None)
        if hit is not None:
            out[k] = index[hit]
    return out


def _indices(codes, index: dict[str, int]) -> list[int]:
    items = list(codes) if codes is not None else []
    return [index.get(str(c), index["other"]) for c in items]


def build_incident_layer(
    incidents: pd.DataFrame | None,
    primary_target: np.ndarray | None = None,
    selected_id: str | None = None,
    rows_tables: tuple[list[list], dict[str, list[str]]] | None = None,
    lang: str = "en",
) -> folium.FeatureGroup:
    """Build one marker per incident, styled by primary target type and sized by casualties.

    Imprecise locations (area, region, unknown) are hollow with a dashed outline. Each
    marker has a tooltip ending in the incident id between ``⟦ ⟧`` (read back by
    :func:`parse_map_click`) and a popup with the incident's details.

    Parameters
    ----------
    incidents : pandas.DataFrame or None
        The incidents to draw (keep it below :data:`MARKER_THRESHOLD`); ignored when
        ``rows_tables`` is given.
    primary_target : numpy.ndarray, optional
        Index of each row's first target type in ``TARGET_TYPES``.
    selected_id : str, optional
        Incident to ring.
    rows_tables : tuple, optional
        Precomputed :func:`incident_rows` output (lets the app cache it; made in ``lang``).
    lang : str
        Language of the legend, tooltips and popups.

    Returns
    -------
    folium.FeatureGroup
        The markers and the legend.
    """
    group = folium.FeatureGroup(name="Incidents", control=False)
    rows, tables = rows_tables if rows_tables is not None else incident_rows(incidents, primary_target, lang=lang)
    selected = next(([r[0], r[1], r[3]] for r in rows if r[5] == selected_id), None) if selected_id else None
    _IncidentMarkers(rows, tables, selected, lang).add_to(group)
    present = sorted({r[2] for r in rows})
    _ = translator(lang)
    MapControl(legend_html(present, len(rows), lang), summary=_("Legend"), width=LEGEND_WIDTH_PX,
               open_from_px=LEGEND_OPEN_FROM_PX).add_to(group)
    return group


def legend_html(classes_present: list[int] | None = None, n_markers: int | None = None, lang: str = "en") -> str:
    """Return the marker legend as HTML (colour per target class, size, precision).

    Parameters
    ----------
    classes_present : list of int, optional
        Indices into :data:`TARGET_CLASSES` to list; all when None.
    n_markers : int, optional
        Number of markers drawn, shown in the title.
    lang : str
        Language of the legend.

    Returns
    -------
    str
        HTML fragment; contains no untrusted text.
    """
    _ = translator(lang)
    indices = range(len(TARGET_CLASSES)) if classes_present is None else classes_present
    title = (_("Primary target") if n_markers is None
             else _.ngettext("Primary target ({n} incident)", "Primary target ({n} incidents)", n_markers))
    lines = [f"<div style='font-weight:bold'>{html.escape(title)}</div>"]
    for i in indices:
        label, color = _(TARGET_CLASSES[i][1]), TARGET_CLASSES[i][2]
        lines.append(
            f"<div><span style='display:inline-block;width:11px;height:11px;border-radius:50%;"
            f"background:{color};border:1px solid #222;margin-right:5px;vertical-align:middle'></span>{html.escape(label)}</div>"
        )
    hollow, size = html.escape(_("Hollow: approximate location")), html.escape(_("Size: killed + injured (reported)"))
    lines.append(
        "<div style='margin-top:3px'><span style='display:inline-block;width:11px;height:11px;border-radius:50%;"
        f"border:2px dashed #555;margin-right:5px;vertical-align:middle'></span>{hollow}</div>"
        f"<div>{size}</div>"
    )
    return "".join(lines)

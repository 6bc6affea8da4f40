"""What every map layer shares: the legend and caption box, script helpers, dates in the map's language."""

from __future__ import annotations

import datetime as dt

from branca.element import MacroElement
from folium.template import Template

from geo.i18n import Translator
from geo.viz.mapcore import js_literal as _js_literal

#: The legend's greatest width in pixels (longer labels wrap: Ukrainian ones are ~80 px longer).
LEGEND_WIDTH_PX = 215
#: Map width from which the legend starts open; a narrower map starts with it folded.
LEGEND_OPEN_FROM_PX = 640
#: What the legend adds to its width on the map: Leaflet's 10 px control margin, the box's 2 x 8 px
#: padding, and a 6 px gap before the country.
LEGEND_MARGIN_PX = 32
#: The width of the folded legend ("▸ Legend") with its margin.
LEGEND_FOLDED_PX = 100


def map_date_text(day: dt.date, _: Translator) -> str:
    """Return a date as the map writes it: ISO 8601 in English, "1 черв. 2024 р." in Ukrainian.

    Parameters
    ----------
    day : datetime.date
        The date.
    _ : Translator
        The map's translator (:func:`geo.i18n.translator`).

    Returns
    -------
    str
        The date in the map's style for the language.
    """
    return _.date(day, "iso" if _.lang == "en" else "medium")


class MapControl(MacroElement):
    """A Leaflet control holding app-drawn HTML, shown while its parent layer is on the map.

    Parameters
    ----------
    content_html : str
        Trusted HTML built by this module (every untrusted part already escaped).
    position : str
        Leaflet control position.
    css_class : str
        Class of the control's ``div``.
    summary : str, optional
        When given, the content folds under this title (a ``details`` element), open when
        the map is at least ``open_from_px`` wide (so a phone starts with it folded).
    width : int
        Maximum width in pixels.
    open_from_px : int
        Map width from which a foldable control starts open.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var parent = {{ this._parent.get_name() }};
            var spec = {{ this.payload }};
            var control = L.control({position: spec.position});
            control.onAdd = function(map) {
                var div = L.DomUtil.create("div", spec.cls);
                div.style.cssText = "background:rgba(255,255,255,.92);padding:4px 8px;border-radius:4px;"
                    + "font:12px/1.4 sans-serif;color:#222;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:"
                    + spec.width + "px";
                if (spec.summary) {
                    var details = L.DomUtil.create("details", "", div);
                    var summary = L.DomUtil.create("summary", "", details);
                    summary.textContent = spec.summary;
                    summary.style.cssText = "cursor:pointer;font-weight:bold";
                    var body = L.DomUtil.create("div", "", details);
                    body.innerHTML = spec.html;
                    details.open = map.getSize().x >= spec.openFrom;
                } else {
                    div.innerHTML = spec.html;
                }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            function show() { if (parent._map && !control._map) { control.addTo(parent._map); } }
            parent.on("add", show);
            parent.on("remove", function() { control.remove(); });
            setTimeout(show, 0);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, content_html: str, position: str = "topleft", css_class: str = "cm-legend",
                 summary: str | None = None, width: int = 260, open_from_px: int = 520):
        super().__init__()
        self._name = "MapControl"
        self.content_html = content_html
        self.summary = summary
        self.payload = _js_literal({"html": content_html, "position": position, "cls": css_class,
                                    "summary": summary, "width": width, "openFrom": open_from_px})


class PayloadLayer(MacroElement):
    """A layer drawn in the browser from one JSON payload: the script frame of the marker and cell layers.

    The script gets the feature group (``parent``), the payload (``D``, from ``self.payload``,
    made with :func:`geo.viz.mapcore.js_literal`), ``esc`` (HTML escaping) and ``num`` (numbers
    written for the map's language: ``D.group`` and ``D.dec`` from :func:`number_symbols`), then
    runs the subclass's ``script_body``: trusted code of this package, never data.
    """

    script_body = ""
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var parent = {{ this._parent.get_name() }};
            var D = {{ this.payload }};
            function esc(s) {
                return String(s).replace(/[&<>"']/g, function(ch) {
                    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[ch];
                });
            }
            function num(v, D) {
                var parts = String(v).split(".");
                parts[0] = parts[0].replace(/\\B(?=(\\d{3})+(?!\\d))/g, D.group);
                return parts.join(D.dec);
            }
            {{ this.script_body }}
        })();
        {% endmacro %}
        """
    )


def number_symbols(_: Translator) -> dict[str, str]:
    """Return the digit-group and decimal signs of the translator's language (for the map's scripts)."""
    return {"group": _.number(1000)[1], "dec": _.number(0.5, 1)[1]}

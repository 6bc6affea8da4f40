"""What a click on the map selected: the token a tooltip ends with, read back from ``st_folium``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

TOKEN_OPEN, TOKEN_CLOSE = "\u27e6", "\u27e7"


@dataclass(frozen=True)
class MapClick:
    """What a click on the map selected.

    Attributes
    ----------
    kind : str
        ``"incident"`` or ``"bin"``.
    value : str or tuple of float
        Incident id, or the cell's (west, south, east, north).
    """

    kind: str
    value: object


def parse_map_click(returned: dict | None, known_ids=None) -> MapClick | None:
    """Read what was clicked from an ``st_folium`` return value.

    Parameters
    ----------
    returned : dict or None
        The component's value; only ``last_object_clicked_tooltip`` is read.
    known_ids : container of str, optional
        Valid incident ids; when given, a token naming another id is ignored.

    Returns
    -------
    MapClick or None
        None when nothing selectable was clicked.
    """
    if not isinstance(returned, dict):
        return None
    text = returned.get("last_object_clicked_tooltip")
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text.endswith(TOKEN_CLOSE):
        return None
    body = text[: -len(TOKEN_CLOSE)]
    starts = [m.start() for m in re.finditer(re.escape(TOKEN_OPEN), body)]
    for start in starts:
        token = body[start + len(TOKEN_OPEN) :]
        if token.startswith("bin:"):
            try:
                west, south, east, north = (float(v) for v in token[4:].split(","))
            except ValueError:
                continue
            if all(math.isfinite(v) for v in (west, south, east, north)) and west < east and south < north:
                return MapClick("bin", (west, south, east, north))
            continue
        if token and (known_ids is None or token in known_ids):
            return MapClick("incident", token)
    return None

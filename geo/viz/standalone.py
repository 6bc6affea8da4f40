"""Offline HTML: inline every script and stylesheet of a page from local copies.

References with no local copy are removed (and reported), never left pointing at a CDN.
The one inlining rule of the project: the offline map page (:func:`geo.viz.map.build_standalone_html`)
and every exported page go through :func:`make_standalone_html`.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Where local copies of browser assets live, searched in order when a map page
#: references a script or stylesheet (by path or by a CDN URL with the same file name).
ASSET_DIRS: tuple[Path, ...] = (
    REPO_ROOT / "static" / "vendor",
    REPO_ROOT / "node_modules" / "leaflet" / "dist",
)


_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=[\"']([^\"']+)[\"'][^>]*>\s*</script>", re.IGNORECASE)
_LINK_CSS = re.compile(r"<link\b[^>]*\bhref=[\"']([^\"']+\.css[^\"']*)[\"'][^>]*/?>", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]+)[\"']?\s*\)")


def find_local_asset(reference: str, asset_dirs: Iterable[Path] = ASSET_DIRS) -> Path | None:
    """Map a script or stylesheet reference (path or CDN URL) to a local file.

    Parameters
    ----------
    reference : str
        ``src``/``href`` value, e.g. a CDN URL ending in ``/leaflet@1.9.3/dist/leaflet.js``
        or ``/app/static/vendor/leaflet/leaflet.js``.
    asset_dirs : iterable of Path
        Directories to search (recursively, by file name).

    Returns
    -------
    Path or None
        The local file, or None when there is no local copy.
    """
    clean = reference.split("?")[0].split("#")[0]
    if clean.startswith("file://"):
        candidate = Path(clean[7:])
        return candidate if candidate.is_file() else None
    if not re.match(r"^(https?:)?//", clean):
        relative = clean.lstrip("/")
        if relative.startswith("app/static/"):
            relative = relative[len("app/") :]
        candidate = REPO_ROOT / relative
        if candidate.is_file():
            return candidate
    name = Path(clean).name
    if not name:
        return None
    for directory in asset_dirs:
        if (directory / name).is_file():
            return directory / name
        if directory.is_dir():
            for match in sorted(directory.rglob(name)):
                if match.is_file():
                    return match
    return None


def _inline_css(css_path: Path) -> str:
    text = css_path.read_text(encoding="utf-8")

    def _data_uri(match: re.Match) -> str:
        ref = match.group(1)
        if ref.startswith("data:"):
            return match.group(0)
        target = (css_path.parent / ref.split("?")[0].split("#")[0]).resolve()
        if not target.is_file():
            return match.group(0)
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return f'url("data:{mime};base64,{base64.b64encode(target.read_bytes()).decode("ascii")}")'

    return _CSS_URL.sub(_data_uri, text).replace("</style", "<\\/style")


def make_standalone_html(page: str, asset_dirs: Iterable[Path] = ASSET_DIRS) -> tuple[str, list[str]]:
    """Inline every script and stylesheet of a map page so it works offline.

    Each ``<script src>`` and stylesheet ``<link>`` is replaced by its local
    copy (Leaflet from ``static/vendor`` or ``node_modules/leaflet/dist``,
    images in CSS as data URIs). References with no local copy are removed,
    never left pointing at a CDN, and reported.

    Parameters
    ----------
    page : str
        HTML of a map (e.g. ``folium.Map.get_root().render()``).
    asset_dirs : iterable of Path
        Where local copies live.

    Returns
    -------
    tuple of (str, list of str)
        The standalone HTML and the references that were dropped.
    """
    dirs = tuple(asset_dirs)
    dropped: list[str] = []

    def _script(match: re.Match) -> str:
        local = find_local_asset(match.group(1), dirs)
        if local is None:
            dropped.append(match.group(1))
            return f"<!-- dropped external script: {html.escape(match.group(1))} -->"
        code = local.read_text(encoding="utf-8").replace("</script", "<\\/script")
        return f"<script>/* {local.name} */\n{code}\n</script>"

    def _link(match: re.Match) -> str:
        local = find_local_asset(match.group(1), dirs)
        if local is None:
            dropped.append(match.group(1))
            return f"<!-- dropped external stylesheet: {html.escape(match.group(1))} -->"
        return f"<style>/* {local.name} */\n{_inline_css(local)}\n</style>"

    return _LINK_CSS.sub(_link, _SCRIPT_SRC.sub(_script, page)), dropped

"""Read JSON and GeoJSON files without letting a hostile file crash the reader.

Python's ``json`` parser recurses once per nesting level, so a file nested
100,000 levels deep (``[[[[...``) raises ``RecursionError``, which escapes every
``except ValueError`` and ends in a traceback; code that walks the parsed data
(GeoJSON geometries, TopoJSON arcs) recurses too. :func:`check_json_depth`
measures the nesting depth before anything parses the file: numpy finds the
unescaped quotes and the brackets outside strings and takes the running depth
(vectorised, linear, in 4 MB blocks so memory stays bounded).
Every JSON or GeoJSON input is read through :func:`load_json_file`, and
GeoJSON files handed to GDAL (``geopandas.read_file``) are checked first with
:func:`check_json_depth`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from geo.i18n import N_, TranslatedError

#: Deepest nesting accepted. GeoJSON needs at most ~8 levels (a FeatureCollection of
#: MultiPolygons), TopoJSON and publisher exports a few more; 64 leaves a wide margin
#: and stays far below Python's recursion limit.
MAX_JSON_DEPTH = 64
_BLOCK = 4 << 20  # at most ~100 MB of index arrays per block, even for a file of nothing but brackets
_STEP = np.zeros(256, dtype=np.int8)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1


class JsonTooDeepError(TranslatedError, ValueError):
    """A JSON document is nested more deeply than :data:`MAX_JSON_DEPTH`."""


class _DepthScanner:
    """Running bracket depth of a JSON text fed in blocks (strings and escapes tracked across blocks)."""

    def __init__(self) -> None:
        self.depth = 0
        self.deepest = 0
        self.in_string = False
        self.pending = b""  # trailing backslashes of the previous block (they may escape the next quote)

    def feed(self, block: bytes) -> None:
        block = self.pending + block
        trailing = len(block) - len(block.rstrip(b"\\"))
        self.pending = block[len(block) - trailing:] if trailing else b""
        block = block[: len(block) - trailing]
        if not block:
            return
        arr = np.frombuffer(block, dtype=np.uint8)
        is_bs = np.concatenate(([False], arr == 92, [False])).view(np.int8)
        edges = np.diff(is_bs)
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        escaped_at = ends[((ends - starts) % 2 == 1) & (ends < len(arr))]
        quote = arr == 34
        quote[escaped_at] = False
        quotes = np.flatnonzero(quote)
        step = _STEP[arr]
        brackets = np.flatnonzero(step)
        if brackets.size:
            before = np.searchsorted(quotes, brackets)
            outside = (before + int(self.in_string)) % 2 == 0
            running = np.cumsum(step[brackets[outside]], dtype=np.int64) + self.depth
            if running.size:
                self.deepest = max(self.deepest, int(running.max()))
                self.depth = int(running[-1])
        self.in_string = bool((int(self.in_string) + quotes.size) % 2)


def json_depth(data: bytes | str, limit: int | None = None) -> int:
    """Return the maximum bracket nesting depth of a JSON text (brackets inside strings ignored).

    Parameters
    ----------
    data : bytes or str
        The JSON text (need not be valid JSON).
    limit : int, optional
        Stop as soon as the depth exceeds this (the returned value is then ``> limit``).

    Returns
    -------
    int
        Deepest level reached (0 for a scalar).
    """
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    scanner = _DepthScanner()
    for start in range(0, len(data), _BLOCK):
        scanner.feed(data[start:start + _BLOCK])
        if limit is not None and scanner.deepest > limit:
            break
    return scanner.deepest


def _too_deep(name: str, limit: int, deepest: int) -> JsonTooDeepError:
    return JsonTooDeepError(
        N_("{name}: the JSON is nested more than {limit} levels deep (at least {deepest}); no GeoJSON or incident "
           "export is. The file is damaged or hostile: export it again."), name=str(name), limit=limit, deepest=deepest
    )


def check_json_depth(path: Path | str, limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse a JSON file nested more deeply than ``limit`` (reads it in blocks, never parses it).

    Parameters
    ----------
    path : Path or str
        The file.
    limit : int
        Deepest nesting accepted.

    Raises
    ------
    JsonTooDeepError
        With a one-line message naming the file and the depth found.
    """
    path = Path(path)
    scanner = _DepthScanner()
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            scanner.feed(block)
            if scanner.deepest > limit:
                raise _too_deep(path.name, limit, scanner.deepest)


def loads_json(text: str | bytes, name: str, limit: int = MAX_JSON_DEPTH):
    """Parse a JSON text after checking its depth.

    Parameters
    ----------
    text : str or bytes
        The JSON text.
    name : str
        File name for messages.
    limit : int
        Deepest nesting accepted.

    Returns
    -------
    object
        The parsed value.

    Raises
    ------
    JsonTooDeepError
        The text is nested too deeply.
    json.JSONDecodeError
        The text is not JSON.
    """
    opens = text.count("[") + text.count("{") if isinstance(text, str) else text.count(b"[") + text.count(b"{")
    deepest = json_depth(text, limit=limit) if opens > limit else 0  # depth <= number of opening brackets
    if deepest > limit:
        raise _too_deep(name, limit, deepest)
    try:
        return json.loads(text)
    except RecursionError as exc:  # pragma: no cover - the depth check comes first
        raise JsonTooDeepError(N_("{name}: the JSON is nested too deeply to read. Export it again."),
                               name=str(name)) from exc


def load_json_file(path: Path | str, limit: int = MAX_JSON_DEPTH, encoding: str = "utf-8-sig"):
    """Read and parse a JSON file: :func:`loads_json` on its decoded text.

    Parameters
    ----------
    path : Path or str
        The file; its name is the one messages give.
    limit : int
        As for :func:`loads_json`.
    encoding : str
        Text encoding (default UTF-8 with an optional byte-order mark).

    Returns
    -------
    object
        What :func:`loads_json` returns for the decoded text.

    Raises
    ------
    JsonTooDeepError, json.JSONDecodeError
        As for :func:`loads_json`.
    UnicodeDecodeError
        The file is not text in ``encoding``.
    OSError
        The file cannot be read.
    """
    path = Path(path)
    data = path.read_bytes()
    return loads_json(data.decode(encoding), path.name, limit=limit)

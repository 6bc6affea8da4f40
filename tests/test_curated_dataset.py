"""Self-checks of the bundled curated dataset ``data/curated/incidents.csv``.

Every row is validated against the canonical taxonomies, the study area and
the bundled oblast boundaries; every row must cite at least one specific
report (no overview articles, aggregators, live or section pages, malformed
links) and say who located its point (``geolocation_source``). A real-data
test cross-checks the curated rows against the shared Bellingcat export (same
day, within 5 km), counting only rows whose point was *not* taken from
Bellingcat, and reports the share of matches recorded in ``data/README.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point
from shapely.ops import unary_union

from geo.admin1 import ADMIN1
from geo.boundaries import load_default_boundaries
from geo.taxonomy import DATE_PRECISIONS, EVENT_TYPES, GEO_PRECISIONS, TARGET_TYPES, WEAPONS

REPO = Path(__file__).resolve().parents[1]
CURATED = REPO / "data" / "curated" / "incidents.csv"
BELLINGCAT = REPO.parent / "shared" / "data" / "incidents" / "bellingcat" / "ukr-civharm-2024-02-26.csv"

COLUMNS = (
    "source_id", "date", "date_precision", "lat", "lon", "geo_precision", "geolocation_source", "location", "admin1_iso",
    "target_types", "target_raw", "weapons", "weapon_raw", "event_type", "killed", "injured",
    "casualty_source", "casualty_note", "description", "source_urls", "sources", "accessed", "verified",
)
REQUIRED = (
    "source_id", "date", "date_precision", "lat", "lon", "geo_precision", "geolocation_source", "location", "admin1_iso",
    "target_types", "weapons", "event_type", "description", "source_urls", "sources", "accessed", "verified",
)
#: The audit that introduced per-link reading dates began in November 2026; no page was read earlier.
FIRST_READ = dt.date(2026, 11, 1)
#: Sites that republish other outlets' reports; a row must cite the original instead.
AGGREGATOR_HOSTS = frozenset({
    "news.yahoo.com", "ca.news.yahoo.com", "menafn.com", "www.devdiscourse.com", "devdiscourse.com", "www.nymorning.com",
    "oaima.org", "www.globalsecurity.org", "d1len9mmddvt3u.cloudfront.net", "newsbreak.com", "www.msn.com",
})
#: Secondary republishers close to aggregators: they relay other outlets' or officials' reports. A row may cite
#: one after the original report (when it adds something), never as its first citation (issue 19).
REPUBLISHER_HOSTS = frozenset({
    "dailynewsbrief.com", "ukrainefrontlines.com", "irtafax.com", "eutoday.net", "www.newschainonline.com",
    "newschainonline.com", "www.siasat.com", "webjosh.com", "www.mccourier.com", "speakrights.com", "bnnbreaking.com",
    "thenewsintel.com", "article.wn.com", "my.ua", "criminal.org.ua", "ukraine-news.top", "news-pravda.com",
    "kherson-news.info", "www.promoteukraine.org", "promoteukraine.org", "www.novinite.com",
})
#: Staging and development copies of a site are not public addresses a reader can follow.
NON_PUBLIC_HOST = re.compile(r"^(dev|staging|stage|test|beta|preprod)\.", re.I)
#: Wikipedia articles about a whole battle, campaign or place are overviews, never a row's evidence.
OVERVIEW_WIKI = re.compile(r"/wiki/(Battle_of|Siege_of|Russian_strikes_against|Attacks_on_civilians|Timeline_of|List_of)", re.I)
#: Live blogs, paged listings and tag/section pages are not specific reports.
GENERIC_PAGE = re.compile(r"[?&](page|utm_[a-z]+)=|/live/|as-it-happened|/(tag|tags|category|rubric|topics?)/?$", re.I)
#: Two incidents may share a report only when it covers both; list such pairs here.
SHARED_URLS_ALLOWED: dict[str, frozenset[str]] = {
    # One report on the nationwide night attack of 26 February 2026 gives both cities' consequences.
    "https://babel.ua/amp/news/125193-rosiyani-masovano-atakuvali-ukrajinu-raketami-ta-dronami-shcho-vidomo-pro-naslidki-1":
        frozenset({"2026-02-26-zaporizhzhia-apartments-night-attack", "2026-02-26-kharkiv-night-attack"}),
    # The report on the Vilniansk maternity ward (23 November 2022) also gives the final count of the 17 November strike.
    "https://fakty.com.ua/en/ukraine/20221123-gore-perepovnyuye-serczya-rosijski-rakety-vbyly-nemovlya-u-vilnyansku/amp":
        frozenset({"2022-11-17-vilniansk-residential", "2022-11-23-vilniansk-maternity-ward"}),
}
#: Military primary targets kept for context; they must be labelled "military" first.
MILITARY_TARGET_IDS = frozenset({
    "2022-03-13-yavoriv-training-centre", "2022-07-28-kropyvnytskyi-flight-academy-hangars", "2024-09-03-poltava-military-institute",
})
FIRST_DAY = dt.date(2022, 2, 24)
# Natural Earth polygons stop at the shoreline and are generalised along borders.
OBLAST_TOLERANCE_M = 5_000.0
MAX_CASUALTIES = 1000
MAX_DESCRIPTION_CHARS = 400
GEOD = Geod(ellps="WGS84")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


@lru_cache(maxsize=1)
def _rows() -> tuple[dict[str, str], ...]:
    with CURATED.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


@lru_cache(maxsize=1)
def _oblasts() -> dict[str, object]:
    frame = load_default_boundaries()
    return dict(zip(frame["admin1_iso"], frame.geometry, strict=True))


def _distance_to_polygon_m(lon: float, lat: float, polygon) -> float:
    """Distance in metres from a point to a polygon, in a local azimuthal equidistant projection."""
    to_local = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m", always_xy=True
    )

    def _project(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(to_local.transform(coords[:, 0], coords[:, 1]))

    return shapely.transform(polygon, _project).distance(Point(0.0, 0.0))


def test_header_is_the_agreed_column_list():
    with CURATED.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == COLUMNS


def test_row_count_and_years():
    rows = _rows()
    assert len(rows) >= 150
    years = {row["date"][:4] for row in rows}
    assert {"2022", "2023", "2024", "2025", "2026"} <= years


def test_required_fields_present():
    missing = [(row["source_id"], col) for row in _rows() for col in REQUIRED if not row[col].strip()]
    assert missing == []


def test_casualty_figures_name_their_source():
    unsourced = [
        row["source_id"] for row in _rows()
        if (row["killed"].strip() or row["injured"].strip()) and not row["casualty_source"].strip()
    ]
    assert unsourced == []


def test_ids_unique_and_slug_shaped():
    ids = [row["source_id"] for row in _rows()]
    assert len(ids) == len(set(ids))
    bad = [i for i in ids if not re.fullmatch(r"\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*", i)]
    assert bad == []


def test_dates_in_range_and_match_ids():
    today = dt.date.today()
    for row in _rows():
        day = dt.date.fromisoformat(row["date"])
        assert FIRST_DAY <= day <= today, row["source_id"]
        assert row["source_id"].startswith(row["date"]), row["source_id"]


@pytest.mark.parametrize(
    ("column", "allowed"),
    [("date_precision", DATE_PRECISIONS), ("geo_precision", GEO_PRECISIONS), ("event_type", EVENT_TYPES)],
)
def test_single_valued_codes_in_taxonomy(column, allowed):
    bad = [(row["source_id"], row[column]) for row in _rows() if row[column] not in allowed]
    assert bad == []


@pytest.mark.parametrize(("column", "allowed"), [("target_types", TARGET_TYPES), ("weapons", WEAPONS)])
def test_list_codes_in_taxonomy(column, allowed):
    for row in _rows():
        values = _split(row[column])
        assert values, row["source_id"]
        assert len(values) == len(set(values)), row["source_id"]
        assert set(values) <= set(allowed), (row["source_id"], values)


def test_coordinates_have_five_decimals_and_lie_in_ukraine():
    ukraine = unary_union(list(_oblasts().values()))
    for row in _rows():
        assert re.fullmatch(r"\d{2}\.\d{5}", row["lat"]) and re.fullmatch(r"\d{2}\.\d{5}", row["lon"]), row["source_id"]
        lon, lat = float(row["lon"]), float(row["lat"])
        assert 44.0 < lat < 52.5 and 22.0 < lon < 40.3, row["source_id"]
        assert _distance_to_polygon_m(lon, lat, ukraine) <= OBLAST_TOLERANCE_M, row["source_id"]


def test_coordinates_inside_stated_oblast():
    oblasts = _oblasts()
    outside = []
    for row in _rows():
        iso = row["admin1_iso"]
        assert iso in ADMIN1, row["source_id"]
        lon, lat = float(row["lon"]), float(row["lat"])
        polygon = oblasts[iso]
        if polygon.covers(Point(lon, lat)):
            continue
        distance = _distance_to_polygon_m(lon, lat, polygon)
        if distance > OBLAST_TOLERANCE_M:
            outside.append((row["source_id"], iso, round(distance)))
    assert outside == []


def test_distance_helper_is_metric():
    """A point 0.1 degree of latitude north of a tiny square is about 11 km away from it."""
    square = Point(30.0, 50.0).buffer(1e-6)
    assert _distance_to_polygon_m(30.0, 50.1, square) == pytest.approx(11_120, rel=0.01)


@pytest.mark.parametrize("column", ["killed", "injured"])
def test_casualties_are_plausible_integers(column):
    for row in _rows():
        value = row[column].strip()
        if value == "":
            continue
        assert re.fullmatch(r"\d+", value), (row["source_id"], value)
        assert 0 <= int(value) < MAX_CASUALTIES, row["source_id"]


def test_urls_well_formed_and_sources_paired():
    for row in _rows():
        urls = _split(row["source_urls"])
        sources = _split(row["sources"])
        assert urls, row["source_id"]
        assert len(urls) == len(sources), row["source_id"]
        for url in urls:
            parsed = urlparse(url)
            assert parsed.scheme == "https" and parsed.netloc and "." in parsed.netloc, (row["source_id"], url)
            assert not re.search(r"\s", url), (row["source_id"], url)
        for source in sources:
            assert source.count(" — ") >= 2, (row["source_id"], source)


def _read_date(value: str) -> dt.date | None:
    """The first day of an ``accessed`` entry (``YYYY-MM`` or ``YYYY-MM-DD``), or None when malformed."""
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", value)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3] or 1))
    except ValueError:
        return None


def test_every_cited_link_was_read():
    """Cite only pages actually opened: each URL in source_urls has the date the project read it, at that address.

    ``accessed`` is a list parallel to ``source_urls`` (same order, same length). A link that could not be
    opened has no reading date and must not be cited; an audit note that still says a link was not found
    must also say it was removed.
    """
    today = dt.date.today()
    bad = []
    for row in _rows():
        urls, dates = _split(row["source_urls"]), _split(row["accessed"])
        if len(urls) != len(dates):
            bad.append((row["source_id"], "accessed and source_urls differ in length"))
            continue
        for url, value in zip(urls, dates, strict=True):
            day = _read_date(value)
            if day is None or not FIRST_READ <= day <= today:
                bad.append((row["source_id"], url, value))
        for clause in re.split(r";", row["verified"]):
            if re.search(r"not (been )?(found|opened)|could not be (opened|read)", clause) and "removed" not in clause \
                    and "no address found" not in clause:
                bad.append((row["source_id"], clause.strip()))
    assert bad == []


@pytest.mark.parametrize(("value", "ok"), [("2026-12", True), ("2026-12-03", True), ("2026-13", False), ("12/2026", False),
                                            ("2026-02-30", False), ("", False)])
def test_read_date_parser(value, ok):
    assert (_read_date(value) is not None) is ok


def _is_wikipedia(url: str) -> bool:
    return urlparse(url).netloc.endswith("wikipedia.org")


def url_problems(url: str) -> list[str]:
    """Return what is wrong with one cited URL (empty list when it is acceptable)."""
    problems = []
    parsed = urlparse(url)
    host = parsed.netloc
    if parsed.scheme != "https" or not host or "." not in host:
        problems.append("not an https URL with a host")
    if host.endswith(".") or ".." in host:
        problems.append("malformed host")
    if re.search(r"\s", url):
        problems.append("whitespace")
    if host in AGGREGATOR_HOSTS:
        problems.append("aggregator")
    if NON_PUBLIC_HOST.match(host):
        problems.append("staging or development host")
    if OVERVIEW_WIKI.search(url):
        problems.append("overview article")
    if GENERIC_PAGE.search(url):
        problems.append("generic or live page")
    if parsed.path in ("", "/") and not parsed.query:
        problems.append("home page")
    if re.search(r"[a-z]\d{2}-\d{4}$", parsed.path):
        problems.append("text run into the URL")
    if parsed.fragment:
        problems.append("fragment")
    return problems


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://kyivindependent.com./russian-missiles-strike-kyiv", "malformed host"),
        ("https://www.bbc.com/russian/live/c4gxy4z1q5nt?page=11", "generic or live page"),
        ("https://menafn.com/1109470294/Death-Toll", "aggregator"),
        ("https://en.wikipedia.org/wiki/Battle_of_Kyiv_(2022)", "overview article"),
        ("https://kyivindependent.com/russia-strikes-dnipro-hits-civilian-train06-2025", "text run into the URL"),
        ("http://example.org/a", "not an https URL with a host"),
        ("https://staging.rferl.org/a/ukraine-russia-drone-strike-odesa-crimea/33457814.html", "staging or development host"),
        ("https://dev.unn.ua/news/nichna-ataka-rf-na-odesu", "staging or development host"),
    ],
)
def test_url_checker_catches_known_defects(url, expected):
    assert expected in url_problems(url)


def test_url_checker_accepts_a_specific_report():
    assert url_problems("https://www.pravda.com.ua/eng/news/2025/04/16/7507783/") == []
    assert url_problems("https://zmina.info/?p=452818") == []  # a post id, not the home page
    assert "home page" in url_problems("https://zmina.info/")


def test_every_row_cites_a_specific_report():
    """No malformed, aggregator, overview or live links; at least one non-Wikipedia report, listed first."""
    bad = []
    for row in _rows():
        urls = _split(row["source_urls"])
        for url in urls:
            if url_problems(url):
                bad.append((row["source_id"], url, url_problems(url)))
        if not urls or _is_wikipedia(urls[0]):
            bad.append((row["source_id"], "first source is Wikipedia or missing"))
    assert bad == []


def test_first_citation_is_not_a_republisher():
    """A row's first citation is the original report (outlet, authority, wire), not a site that relays it."""
    bad = [(row["source_id"], _split(row["source_urls"])[0]) for row in _rows()
           if urlparse(_split(row["source_urls"])[0]).netloc in REPUBLISHER_HOSTS]
    assert bad == []


#: Oblast centres and other large towns, by first-level unit: prefixes of their names in the Latin spellings
#: found in URL slugs and in Ukrainian/Russian ("-" stands for a space, "-" or "_"). Used only to notice a first
#: citation that is about somewhere else; it is not a gazetteer.
PLACE_STEMS = {
    "UA-30": "kyiv kiev kyyiv kyjiv kiew київ києв киев",
    "UA-32": "bucha irpin bila-tserkva буча ірпін біла-церква",
    "UA-63": "kharkiv kharkov harkiv harkov charkiw харків харков izium izyum ізюм kupiansk куп'янськ купʼянськ",
    "UA-12": "dnipro dnepr дніпр днепр kryvyi-rih кривий-ріг кривом nikopol нікопол",
    "UA-23": "zaporizh zaporozh запоріж запорож",
    "UA-51": "odesa odessa одес",
    "UA-48": "mykolai nikolaev миколаїв николаев",
    "UA-65": "kherson херсон",
    "UA-59": "sumy sumi суми сумах сумщин сумськ",
    "UA-74": "chernihiv chernigov chernigiv чернігів чернигов",
    "UA-46": "lviv lvov львів львов",
    "UA-05": "vinnyts vinnits вінниц винниц",
    "UA-53": "poltav полтав kremenchu кременчу",
    "UA-18": "zhytomyr zhitomir житомир",
    "UA-71": "cherkas черкас uman умань",
    "UA-35": "kropyvnyts кропивниц",
    "UA-56": "rivne rovno рівне рівнен ровно",
    "UA-07": "lutsk луцьк луцк",
    "UA-68": "khmelnyts хмельниц",
    "UA-61": "ternopil тернопіл тернопол",
    "UA-26": "ivano-frankivsk frankivsk франківськ",
    "UA-21": "uzhhorod ужгород",
    "UA-77": "chernivts чернівц черновц",
    "UA-14": "kramatorsk краматорськ sloviansk slovyansk слов'янськ словʼянськ mariupol маріупол",
}
_PLACE_PATTERNS = {
    iso: re.compile(r"\b(" + "|".join(re.escape(stem).replace(r"\-", r"[\s_-]") for stem in stems.split()) + ")", re.I)
    for iso, stems in PLACE_STEMS.items()
}
#: The Dnipro hydroelectric station is in Zaporizhzhia, not in the city of Dnipro.
_DNIPRO_HPP = re.compile(r"dnipro[\s_-]*(hpp|hes|hydro)|dniprohes|днепрогэс|дніпрогес", re.I)
#: Kyiv oblast is named after the capital, which is its own unit.
_ALSO_OWN = {"UA-32": {"UA-30"}}


def citation_text(url: str, title: str) -> str:
    """What a citation says it is about: its URL slug when that has words (at least four), else its title."""
    words = re.findall(r"[^\W\d_]{2,}", unquote(urlparse(url).path).replace("-", " ").replace("_", " "))
    return " ".join(words) if len(words) >= 4 else title


def units_named(text: str) -> set[str]:
    """The first-level units whose main towns ``text`` names (see PLACE_STEMS)."""
    found = {"UA-23"} if _DNIPRO_HPP.search(text) else set()
    text = _DNIPRO_HPP.sub(" ", text)
    return found | {iso for iso, pattern in _PLACE_PATTERNS.items() if pattern.search(text)}


def names_another_place(row: dict[str, str]) -> bool:
    """True when the first citation names towns of other units only, and not the row's own place.

    The defect this catches: an overview or neighbouring article cited first for an incident it only
    recaps in passing (Kharkiv CHP-5 cited an article about the DniproHES; Obolon cited the Rivne TV
    tower; a Dnipro house cited Uman).
    """
    url, source = _split(row["source_urls"])[0], _split(row["sources"])[0]
    title = source.split(" — ")[1] if source.count(" — ") >= 2 else source
    text = citation_text(url, title)
    named = units_named(text)
    own = {row["admin1_iso"]} | _ALSO_OWN.get(row["admin1_iso"], set())
    place = row["location"].split(",")[0].split("(")[0].strip().lower()[:5]
    return bool(named) and not (named & own) and place not in text.lower()


@pytest.mark.parametrize(
    ("iso", "location", "url", "about_elsewhere"),
    [
        ("UA-63", "Kharkiv, CHP-5", "https://ukranews.com/en/news/993810-there-is-no-threat-of-dam-breach-ukrhydroenergo-"
         "informed-about-state-of-dnipro-hpp-after-missile-hit", True),
        ("UA-30", "Kyiv, Obolon", "https://ukrinform.ua/rubric-regions/3431200-raketnij-udar-po-televezi-na-rivnensini-"
         "kilkist-zertv-zrosla-do-21.html", True),
        ("UA-12", "Dnipro, private house", "https://english.nv.ua/nation/search-and-rescue-operation-completed-in-uman-"
         "23-dead-including-six-children-50321109.html", True),
        ("UA-23", "Zaporizhzhia, DniproHES", "https://newsukraine.rbc.ua/news/eight-russian-missiles-hit-dnipro-hpp-"
         "prosecutor-1711114034.html", False),
        ("UA-32", "Trypillia, Trypilska TPP", "https://babel.ua/en/news/105930-centerenergo-the-russians-destroyed-the-"
         "trypilska-tpp-in-the-kyiv-region", False),
        ("UA-23", "Zaporizhzhia, convoy", "https://war.ukraine.ua/crimes/russian-forces-hit-a-humanitarian-convoy-in-"
         "zaporizhzhia/", False),
        ("UA-63", "Kharkiv, energy", "https://ukranews.com/en/news/993734-russians-hit-over-15-times-on-energy-"
         "facilities-in-kharkiv-city-staying-without-electricity", False),
        ("UA-14", "Kramatorsk", "https://interfax.com.ua/news/general/919427.html", False),  # no slug: title is used
    ],
)
def test_citation_about_another_place_is_noticed(iso, location, url, about_elsewhere):
    row = {"admin1_iso": iso, "location": location, "source_urls": url, "sources": "Outlet — Report — 2024-01-01"}
    assert names_another_place(row) is about_elsewhere


def test_first_citation_is_about_the_rows_place():
    """A row's first citation is a specific report of the incident, not an article about another place."""
    bad = [row["source_id"] for row in _rows() if names_another_place(row)]
    assert bad == []


def _same_article(url: str) -> str:
    """A key under which variants of one article's address coincide (scheme, www./m./amp., AMP suffixes, slash)."""
    key = re.sub(r"^https?://(www\.|m\.|amp\.)?", "", url.strip().lower())
    key = re.sub(r"(/amp(?=/|$)|\?amp=amp$|-amp(?=\.html$)|/index\.amp$)", "", key)
    return key.rstrip("/")


def test_article_key_joins_address_variants():
    assert _same_article("https://m.censor.net/en/news/3353182/x") == _same_article("https://censor.net/en/news/3353182/x/")
    assert _same_article("https://fakty.com.ua/en/a/amp") == _same_article("https://www.fakty.com.ua/en/a")
    assert _same_article("https://interfax.com.ua/news/general/926255-amp.html") == \
        _same_article("https://interfax.com.ua/news/general/926255.html")
    assert _same_article("https://babel.ua/en/news/1") != _same_article("https://babel.ua/en/news/2")


def test_no_url_shared_by_different_incidents_unless_listed():
    """One article cited by two incidents only when it covers both (listed); address variants count as one article."""
    allowed = {_same_article(url): ids for url, ids in SHARED_URLS_ALLOWED.items()}
    seen: dict[str, set[str]] = {}
    for row in _rows():
        for url in _split(row["source_urls"]):
            seen.setdefault(_same_article(url), set()).add(row["source_id"])
    shared = {url: ids for url, ids in seen.items() if len(ids) > 1 and ids != allowed.get(url)}
    assert shared == {}


def test_casualty_figures_name_authority_and_date():
    """A row with a toll names who gave it and when: an ISO date (at least year and month) in casualty_source."""
    missing = [row["source_id"] for row in _rows()
               if (row["killed"].strip() or row["injured"].strip())
               and not (row["casualty_source"].strip() and re.search(r"\b\d{4}-\d{2}\b", row["casualty_source"]))]
    assert missing == []


def is_bellingcat_geolocated(row: dict[str, str]) -> bool:
    """True when the row's point was taken from Bellingcat's database (per ``geolocation_source``)."""
    return row.get("geolocation_source", "").lower().startswith("bellingcat")


def test_every_row_credits_its_geolocation():
    for row in _rows():
        source = row["geolocation_source"].strip()
        assert source.lower().startswith(("bellingcat", "project:")), (row["source_id"], source)


def test_bellingcat_credit_matches_the_coordinates():
    """Rows whose point equals a Bellingcat export point must credit Bellingcat (and the reverse)."""
    if not BELLINGCAT.exists():
        pytest.skip(f"{BELLINGCAT} not found")
    points = {(round(lat, 5), round(lon, 5)) for _, lat, lon in _read_bellingcat(BELLINGCAT)}
    uncredited = [row["source_id"] for row in _rows()
                  if (float(row["lat"]), float(row["lon"])) in points and not is_bellingcat_geolocated(row)]
    assert uncredited == []
    wrongly = [row["source_id"] for row in _rows()
               if "export 2024-02-26" in row["geolocation_source"] and (float(row["lat"]), float(row["lon"])) not in points]
    assert wrongly == []


def test_shared_points_are_labelled_as_approximate():
    """Rows sharing one point must be area/region rows whose location says what the point is."""
    by_point: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in _rows():
        by_point.setdefault((row["lat"], row["lon"]), []).append(row)
    bad = [row["source_id"] for group in by_point.values() if len(group) > 1 for row in group
           if row["geo_precision"] not in {"area", "region"} or "(point:" not in row["location"]]
    assert bad == []


def test_military_targets_are_labelled():
    rows = {row["source_id"]: row for row in _rows()}
    for source_id in MILITARY_TARGET_IDS:
        assert source_id in rows, source_id
        assert _split(rows[source_id]["target_types"])[0] == "military", source_id


def test_every_row_is_a_strike_the_civilian_harm_view_counts():
    """A strike whose weapon the reports do not name is 'explosion' (remote violence), never 'other':
    'other' events are left out of the civilian-harm view, which would drop the row's dead and injured."""
    strikes = {"missile_strike", "air_strike", "drone_strike", "shelling", "explosion", "mine", "attack_on_civilians"}
    bad = [row["source_id"] for row in _rows() if row["event_type"] not in strikes]
    assert bad == []


def test_every_row_records_its_audit_status():
    for row in _rows():
        assert re.match(r"\d{4}-\d{2}: ", row["verified"]), row["source_id"]


def test_descriptions_short_and_plain_text():
    for row in _rows():
        text = row["description"]
        assert len(text) <= MAX_DESCRIPTION_CHARS, row["source_id"]
        assert not re.search(r"<[a-zA-Z/!][^>]*>|&[a-z]+;|&#\d+;", text), row["source_id"]
        assert "\n" not in text, row["source_id"]


def test_vinnytsia_2022_07_14_present():
    rows = [row for row in _rows() if row["date"] == "2022-07-14" and "vinnytsia" in row["source_id"]]
    assert len(rows) == 1
    row = rows[0]
    assert row["admin1_iso"] == "UA-05"
    assert int(row["killed"]) >= 20
    assert "cruise_missile" in _split(row["weapons"])


def _read_bellingcat(path: Path) -> list[tuple[dt.date, float, float]]:
    points = []
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            try:
                day = dt.datetime.strptime(record["date"], "%m/%d/%Y").date()
                lat, lon = float(record["latitude"]), float(record["longitude"])
            except ValueError:
                continue
            points.append((day, lat, lon))
    return points


def compute_bellingcat_match_share(
    rows, bellingcat, start=FIRST_DAY, end=dt.date(2024, 2, 20), radius_m=5_000.0
) -> tuple[int, int]:
    """Return (matched, eligible): curated rows in [start, end] with a Bellingcat point that day within radius.

    Rows whose point was taken from Bellingcat (``geolocation_source``) are not
    eligible: matching them against the same database would only count the copy.
    """
    by_day: dict[dt.date, list[tuple[float, float]]] = {}
    for day, lat, lon in bellingcat:
        by_day.setdefault(day, []).append((lat, lon))
    matched = eligible = 0
    for row in rows:
        day = dt.date.fromisoformat(row["date"])
        if not start <= day <= end or is_bellingcat_geolocated(row):
            continue
        eligible += 1
        candidates = by_day.get(day, [])
        if not candidates:
            continue
        lat, lon = float(row["lat"]), float(row["lon"])
        _, _, dist = GEOD.inv([lon] * len(candidates), [lat] * len(candidates),
                              [c[1] for c in candidates], [c[0] for c in candidates])
        if min(dist) <= radius_m:
            matched += 1
    return matched, eligible


def test_match_share_on_a_built_fixture():
    """One row matches (same day, ~1 km away), one is too far, one is on another day, one is out of range."""
    rows = [
        {"date": "2022-03-01", "lat": "50.00000", "lon": "36.00000"},
        {"date": "2022-03-01", "lat": "50.20000", "lon": "36.00000"},
        {"date": "2022-03-02", "lat": "50.00000", "lon": "36.00000"},
        {"date": "2025-01-01", "lat": "50.00000", "lon": "36.00000"},
        {"date": "2022-03-01", "lat": "50.00900", "lon": "36.00000",
         "geolocation_source": "Bellingcat Civilian Harm database (export 2024-02-26), point of record CIV0001"},
    ]
    bellingcat = [(dt.date(2022, 3, 1), 50.009, 36.0)]
    assert compute_bellingcat_match_share(rows, bellingcat) == (1, 3)


@pytest.mark.realdata
def test_cross_check_with_bellingcat_export():
    if not BELLINGCAT.exists():
        pytest.skip(f"{BELLINGCAT} not found")
    matched, eligible = compute_bellingcat_match_share(_rows(), _read_bellingcat(BELLINGCAT))
    assert eligible > 0
    share = matched / eligible
    print(f"\ncurated incidents 2022-02-24..2024-02-20 not geolocated from Bellingcat, with a Bellingcat incident "
          f"the same day within 5 km: {matched}/{eligible} = {share:.1%}")
    assert 0.0 <= share <= 1.0
    # data/README.md states the figure; it must be the one measured here.
    readme = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    assert f"Of the {eligible} such rows" in readme and f"**{matched} ({share:.1%})**" in readme


def test_readme_counts_match_the_file():
    """data/README.md's headline row count and per-year counts are the file's."""
    readme = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    rows = _rows()
    years: dict[str, int] = {}
    for row in rows:
        years[row["date"][:4]] = years.get(row["date"][:4], 0) + 1
    per_year = ", ".join(f"{year}: {count}" for year, count in sorted(years.items()))
    assert f"**What:** {len(rows)} documented attacks" in readme
    assert f"({per_year})" in readme
    recent = sum(count for year, count in years.items() if year >= "2025")
    assert f"the {recent} rows of 2025-2026" in readme


def test_shared_url_pairs_on_a_built_table():
    """The derivation behind the shared-URL fusion labels: a URL cited by exactly two records, close in time and place."""
    import pandas as pd

    from geo.fusion_validation import shared_url_pairs

    table = pd.DataFrame({
        "incident_id": ["curated:x", "bellingcat:a", "bellingcat:b", "bellingcat:c", "curated:y", "bellingcat:d"],
        "source": ["curated", "bellingcat", "bellingcat", "bellingcat", "curated", "bellingcat"],
        "date": pd.to_datetime(["2023-01-01", "2023-01-02", "2023-01-01", "2023-01-01", "2023-01-01", "2023-01-05"]),
        "lon": [30.0, 30.01, 30.0, 30.0, 31.0, 31.0],
        "lat": [50.0, 50.0, 50.0, 50.5, 50.0, 50.0],
        "source_urls": [["https://a/1", "https://a/2"], ["https://a/1"], ["https://a/3"], ["https://a/3", "https://a/2"],
                        ["https://a/4"], ["https://a/4"]],
    })
    pairs = shared_url_pairs(table)
    # a/1: x and a, 1 day and ~0.7 km apart -> a pair; a/2: x and c, ~55 km apart -> none;
    # a/3: b and c, ~55 km -> none; a/4: y and d, 4 days apart -> none.
    assert list(zip(pairs["a"], pairs["b"], strict=True)) == [("bellingcat:a", "curated:x")]
    assert pairs["source_a"].tolist() == ["bellingcat"] and pairs["source_b"].tolist() == ["curated"]
    assert pairs["km"].iloc[0] == pytest.approx(0.716, abs=0.01)

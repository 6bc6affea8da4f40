"""Keyword rules that read weapons and target types out of free text, vectorised.

Used where a publisher codes no weapon or target (ACLED ``notes``, UCDP
``source_headline``, generic files' free-text columns). The rules are
documented in ``docs/TAXONOMIES.md`` and tested there against each other; they
are deliberately conservative and always leave the publisher's own text in
``weapon_raw`` / ``target_raw`` / ``description`` for checking.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: weapon code -> regular expression (RE2 syntax, matched on lower-cased text).
WEAPON_RULES: dict[str, str] = {
    "cruise_missile": r"cruise missile|kalibr|\bkh-?\s?(101|555|55|22|32|59|69|35)\b|\bp-800\b|oniks|onyx",
    "ballistic_missile": r"ballistic|iskander|tochka|kinzhal|\bkn-?2[34]\b|zircon|tsirkon",
    "anti_aircraft_missile": r"\bs-?300\b|\bs-?400\b|anti-?aircraft missile|air[- ]defen[cs]e missile",
    "drone": r"shahed|geran|\bdrones?\b|\buavs?\b|loitering|lancet|kamikaze|quadcopter|\bfpv\b|unmanned aerial",
    "aerial_bomb": (
        r"\bkabs?\b|\bfab-?\d+|\bupab|guided (aerial )?bombs?|glide bombs?|aerial bombs?|gliding bombs?"
        r"|dropped (an? )?(\w+ )?bombs?|bombs? (was|were) dropped|\bbombing|\bbombed\b"
    ),
    "air_strike_unspecified": r"air ?strikes?|aircraft|\bjets?\b|helicopters?|\bsu-?\d\d|aviation",
    "rocket_artillery": (
        r"\bgrad\b|uragan|smerch|tornado|\bmlrs\b|multiple(-| )(launch )?rocket|\bbm-?(21|27|30)\b|himars"
        r"|rocket artillery|\brockets?\b"
    ),
    "tube_artillery": (
        r"\bmortars?\b|howitzers?|tube artillery|self-propelled gun|\btanks? (fired|shelled)|\b(152|122|120|82) ?mm"
        r"|\bmsta\b|\bd-?30\b|gvozdika|akatsiya|\bpion\b"
    ),
    "artillery_unspecified": r"artillery|\bshell(ed|ing|s)?\b",
    "missile_unspecified": r"\bmissiles?\b",
    "cluster_munition": r"cluster",
    "incendiary": r"incendiar|phosphorus|thermite|napalm",
    "thermobaric": r"thermobaric|\btos-?1|solntsepyok|buratino|vacuum bomb",
    "small_arms": (
        r"small arms|gunfire|\bshot (dead|at|and|in)\b|\bsnipers?\b|machine ?guns?|\bfirearms?\b"
        r"|automatic weapons?|\brifles?\b|opened fire"
    ),
    "mine": (
        r"landmines?|anti-?(personnel|tank) mines?|\bmine (exploded|explosion|blast)|(stepped on|hit|detonated) (an? )?\w* ?mine\b"
        r"|explosive remnant|unexploded|\buxo\b|tripwire|booby|\bpfm-?1|petal mines?|\bied\b"
    ),
}

# Specific codes that make a generic code redundant when both match.
_WEAPON_SUPERSEDES: dict[str, tuple[str, ...]] = {
    "missile_unspecified": ("cruise_missile", "ballistic_missile", "anti_aircraft_missile"),
    "artillery_unspecified": ("rocket_artillery", "tube_artillery"),
    "air_strike_unspecified": ("aerial_bomb", "cruise_missile", "ballistic_missile", "drone", "anti_aircraft_missile"),
}

#: target code -> regular expression; order matters (the first match is the primary target).
TARGET_RULES: dict[str, str] = {
    "residential": (
        r"residential|apartment|\bhouses?\b|\bhomes?\b|dwelling|private sector|high-rise|block of flats"
        r"|dormitor|\bflats?\b"
    ),
    "education": r"school|kindergarten|universit|college|lyceum|gymnasium|educational|nursery|childcare",
    "healthcare": r"hospital|clinic|medical|ambulance|maternity|health ?care|polyclinic|pharmacy",
    "energy": (
        r"power (plant|station|line|grid|facilit|infrastructure|supply)|energy|substation|electric"
        r"|\b(chp|tpp|hpp|npp)\b|nuclear|gas (pipeline|facilit|distribution)|oil (depot|refinery|terminal)"
        r"|fuel (depot|storage)|boiler"
    ),
    "water": r"water (supply|pipeline|station|treatment|infrastructure|utility|tower|main)|pumping station|\bdam\b|sewage",
    "transport": (
        r"railway|railroad|\btrains?\b|bridges?\b|highway|\broads?\b|\bports?\b|seaport|airport|\bbus(es)?\b"
        r"|minibus|\btram|trolleybus|transport|\bcars?\b"
    ),
    "commercial": (
        r"\bshops?\b|\bstores?\b|market|supermarket|\bmall\b|shopping|\bcaf[eé]|restaurant|hotel|office"
        r"|business|\bbanks?\b|gas station|petrol station|filling station|commercial"
    ),
    "industrial": r"industrial|factory|factories|enterprise|warehouse|coal mine|mining|manufactur|metallurg|steel|\bplant\b",
    "agriculture_food": r"grain|agricultur|\bfarm|\bcrops?\b|harvest|\bsilos?\b|granary|livestock|\bfood\b|bakery",
    "cultural": r"museum|theat(re|er)|library|cultur|monument|heritage|cinema|concert hall|stadium",
    "religious": r"church|cathedral|monastery|mosque|synagogue|temple|chapel|\blavra\b|religious",
    "government": (
        r"administration|administrative|government|council|city hall|town hall|police|courthouse|prosecutor"
        r"|\bsbu\b|ministry|local administrators|post office"
    ),
    "humanitarian": (
        r"humanitarian|aid (workers?|distribution|point|convoy|centre|center)|evacuat|\bshelters?\b|refugee"
        r"|red cross|volunteer|\bunhcr\b|\bicrc\b|invincibility point"
    ),
    "military": (
        r"military|troops|soldiers|servicem[ae]n|\bpositions\b|\barmy\b|armed forces|barracks|\bbase\b"
        r"|ammunition (depot|warehouse|dump)|command post|airfield|air base|fortification"
    ),
}


#: Ukrainian keywords, appended to the English rules above (same codes, same priority). RE2's ``\b``
#: knows only ASCII letters, so Cyrillic words are bounded with ``(^|[^а-яіїєґ])`` where a stem is short.
UK_WEAPON_RULES: dict[str, str] = {
    "cruise_missile": r"крилат[а-яіїєґ]* ракет|калібр|х-?(101|555|55|22|32|59|69)\b|онікс",
    "ballistic_missile": r"балістичн|іскандер|точк[аиу]-у|кинджал|циркон",
    "anti_aircraft_missile": r"(^|[^а-яіїєґ])с-?(300|400)\b|зенітн[а-яіїєґ]* ракет",
    "drone": r"дрон|бпла|безпілотн|шахед|герань|ланцет|квадрокоптер|(^|[^а-яіїєґ])фпв($|[^а-яіїєґ])",
    "aerial_bomb": r"(^|[^а-яіїєґ])каб(и|ів|ами|ом)?($|[^а-яіїєґ])|авіабомб|авіаційн[а-яіїєґ]* бомб|керован[а-яіїєґ]* бомб|фаб-?\d+|бомбардуван|скину[а-яіїєґ]* бомб",
    "air_strike_unspecified": r"авіаудар|авіаналіт|авіаці|літак|гелікоптер|вертоліт|(^|[^а-яіїєґ])су-?\d\d",
    "rocket_artillery": r"(^|[^а-яіїєґ])град(у|ом|ів|и)?($|[^а-яіїєґ])|ураган|смерч|рсзв|реактивн",
    "tube_artillery": r"міномет|гаубиц|самохідн[а-яіїєґ]* артилер|танк[а-яіїєґ]* (обстріл|вдари)",
    "artillery_unspecified": r"артилер|обстріл|артобстріл|снаряд",
    "missile_unspecified": r"ракет",
    "cluster_munition": r"касетн",
    "incendiary": r"запалювальн|фосфор|терміт",
    "thermobaric": r"термобаричн|тос-?1|сонцепек|солнцепек|буратін",
    "small_arms": r"стрілецьк|стрілянин|снайпер|кулемет|вогнепальн|розстріля",
    "mine": r"протипіхотн|протитанков[а-яіїєґ]* мін|(^|[^а-яіїєґ])мін[аиуі]($|[^а-яіїєґ])|підірва[а-яіїєґ]* на мін|нерозірван|вибухонебезпечн|розтяжк|пелюстк|(^|[^а-яіїєґ])свп($|[^а-яіїєґ])",
}
UK_TARGET_RULES: dict[str, str] = {
    "residential": r"житлов|(^|[^а-яіїєґ])будин[ко]|квартир|багатоповерх|приватн[а-яіїєґ]* (сектор|будин)|гуртожит|домівк",
    "education": r"школ|дитяч[а-яіїєґ]* садо?к|садоч|університет|ліце[йюї]|коледж|гімназі|навчальн|заклад[а-яіїєґ]* освіт",
    "healthcare": r"лікарн|клінік|медичн|медзаклад|швидк[а-яіїєґ]* (медичн[а-яіїєґ]* )?допомог|пологов|амбулатор|аптек",
    "energy": r"енергети|енергооб|електростанц|підстанц|електропостач|електромереж|(^|[^а-яіїєґ])(тец|тес|гес|аес)($|[^а-яіїєґ])|газопровід|газорозподіл|нафтобаз|нафтопереробн|котельн",
    "water": r"водопостач|водопровід|водоканал|насосн[а-яіїєґ]* станці|дамб|гребл|каналізац",
    "transport": r"залізниц|залізнич|вокзал|потяг|поїзд|(^|[^а-яіїєґ])міст($|[^а-яіїєґ])|мосту|автошлях|автодорог|(^|[^а-яіїєґ])порт[уі]?($|[^а-яіїєґ])|аеропорт|автобус|маршрутк|трамва|тролейбус|транспорт|автомобіл|автівк",
    "commercial": r"магазин|(^|[^а-яіїєґ])ринок|(^|[^а-яіїєґ])ринку|супермаркет|торгов|торгівельн|(^|[^а-яіїєґ])тц($|[^а-яіїєґ])|кафе|ресторан|готел|офіс|бізнес|(^|[^а-яіїєґ])банк|(^|[^а-яіїєґ])азс($|[^а-яіїєґ])|автозаправ",
    "industrial": r"промислов|завод|фабрик|підприємств|(^|[^а-яіїєґ])склад[иу]?($|[^а-яіїєґ])|шахт|виробни|металург",
    "agriculture_food": r"зерн|агропідприєм|сільськогосп|(^|[^а-яіїєґ])ферм|урожа|елеватор|хлібозавод|пекарн|продовольч",
    "cultural": r"музе|театр|бібліотек|культур|пам.ятк|пам.ятник|кінотеатр|стадіон",
    "religious": r"церкв|церков|храм|собор|монастир|мечет|синагог|каплиц|(^|[^а-яіїєґ])лавр",
    "government": r"адміністрац|адмінбудівл|(^|[^а-яіїєґ])уряд|міськрад|сільрад|(^|[^а-яіїєґ])рад[аиі]($|[^а-яіїєґ])|поліці|(^|[^а-яіїєґ])суд($|[^а-яіїєґ])|прокуратур|(^|[^а-яіїєґ])сбу($|[^а-яіїєґ])|міністерств|(^|[^а-яіїєґ])пошт|цнап",
    "humanitarian": r"гуманітарн|евакуац|укритт|бомбосховищ|біженц|переселенц|червон[а-яіїєґ]* хрест|волонтер|незламност",
    "military": r"військов[а-яіїєґ]* (об.єкт|частин|технік|склад|баз|аеродром)|військовослужбов|солдат|позиці[їйяю]|(^|[^а-яіїєґ])зсу($|[^а-яіїєґ])|казарм|боєприпас|командн[а-яіїєґ]* пункт|аеродром|авіабаз|укріплен|фортифікац",
}
for _rules, _uk in ((WEAPON_RULES, UK_WEAPON_RULES), (TARGET_RULES, UK_TARGET_RULES)):
    for _code, _pattern in _uk.items():
        _rules[_code] = f"{_rules[_code]}|{_pattern}"


def _non_capturing(pattern: str) -> str:
    return re.sub(r"\((?!\?)", "(?:", pattern)


_ALL_RULES: dict[str, str] = {}


def compact_keywords(text: pd.Series) -> tuple[np.ndarray, object]:
    """Reduce each text to the keywords any rule can match, then factorize.

    One regular-expression pass over the full text (all rules combined) marks
    the keywords; everything between them is dropped. Rows with the same
    keyword sequence share one entry, so the per-rule matching afterwards runs
    on a few thousand short strings instead of a million long ones.

    Parameters
    ----------
    text : pandas.Series
        Free text.

    Returns
    -------
    codes : numpy.ndarray
        Index into ``uniques`` per row.
    uniques : pyarrow.Array
        Distinct compacted texts (lower case, keywords separated by spaces).
    """
    import pyarrow as pa

    if not _ALL_RULES:
        _ALL_RULES.update(WEAPON_RULES)
        _ALL_RULES.update({f"target:{k}": v for k, v in TARGET_RULES.items()})
    combined = "|".join(f"(?:{_non_capturing(p)})" for p in _ALL_RULES.values())
    arr = pa.array(text.astype("str"), from_pandas=True).cast(pa.large_string())
    chunks = [arr.slice(start, COMPACT_BATCH_ROWS) for start in range(0, len(arr), COMPACT_BATCH_ROWS)] or [arr]
    if len(chunks) > 1:
        from concurrent.futures import ThreadPoolExecutor

        # Arrow kernels release the GIL: two threads halve the wall time on a 2-core machine.
        with ThreadPoolExecutor(max_workers=2) as pool:
            parts = list(pool.map(lambda chunk: _compact_chunk(chunk, combined), chunks))
    else:
        parts = [_compact_chunk(chunks[0], combined)]
    compact = pa.chunked_array(parts, type=pa.large_string()).combine_chunks()
    encoded = compact.dictionary_encode()
    return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary


#: Rows per piece of work in :func:`compact_keywords` (two pieces run at a time; each holds a few
#: copies of its text while it is reduced).
COMPACT_BATCH_ROWS = 1 << 17


def _compact_chunk(arr, combined: str):
    """Lower-case, mark every keyword, drop the text between keywords (one chunk).

    Each keyword is wrapped in the control characters 1 and 2 (any 1 or 2 already in
    the text becomes a space first). Splitting at the 1s and keeping what comes before
    the next 2 gives the keywords in order; they are joined by spaces with a space on
    either side, so the result is ``" kw1 kw2 "`` (what replacing the text before the
    first keyword, between two and after the last by a space gives, with split passes
    instead of a second regular expression); a text without keywords becomes "".
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    empty = pa.scalar("", pa.large_string())
    space = pa.scalar(" ", pa.large_string())
    arr = pc.fill_null(pc.utf8_lower(arr), empty)
    if _has_marker_bytes(arr):
        arr = pc.replace_substring_regex(arr, r"[\x01\x02]", " ")
    marked = pc.replace_substring_regex(arr, combined, "\x01\\0\x02")
    del arr
    has_any = pc.greater_equal(pc.find_substring(marked, "\x01"), 0)
    pieces = pc.list_slice(pc.split_pattern(marked, "\x01"), 1)  # "kw\x02text after it", per keyword
    del marked
    found = pc.list_element(pc.split_pattern(pc.list_flatten(pieces), "\x02", max_splits=1), 0)
    offsets = pieces.offsets
    per_row = type(pieces).from_arrays(pc.subtract(offsets, offsets[0]), found)
    joined = pc.binary_join_element_wise(space, pc.binary_join(per_row, space), space, empty)
    return pc.if_else(has_any, joined, empty)


def _has_marker_bytes(arr) -> bool:
    """Whether any text of ``arr`` (a string array) holds the control character 1 or 2.

    The bytes are scanned with NumPy (the data buffer of a slice may hold more than its own
    texts: a hit there is confirmed per text with Arrow).
    """
    import pyarrow.compute as pc

    data = arr.buffers()[2]
    if data is None or not np.any(np.frombuffer(data, dtype=np.uint8) <= 2):
        return False
    return bool(pc.any(pc.match_substring_regex(arr, r"[\x01\x02]")).as_py())


def match_rules(text: pd.Series, rules: dict[str, str], compacted=None) -> np.ndarray:
    """Return a boolean matrix (rows x rules): does each rule match each text.

    Parameters
    ----------
    text : pandas.Series
        Free text (any case; NA never matches).
    rules : dict
        code -> regular expression, e.g. :data:`WEAPON_RULES`.
    compacted : tuple, optional
        The result of :func:`compact_keywords` for ``text``, to share between calls.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(text), len(rules))``.
    """
    codes, uniques = compacted if compacted is not None else compact_keywords(text)
    return match_distinct(uniques, rules)[codes]


def match_distinct(uniques, rules: dict[str, str]) -> np.ndarray:
    """Return the rule matrix of the distinct compacted texts of :func:`compact_keywords` (one row each).

    ``match_distinct(uniques, rules)[codes]`` is :func:`match_rules` for the
    whole column; working on the distinct texts keeps the per-row work to one
    index per row.

    Parameters
    ----------
    uniques : pyarrow.Array
        Distinct compacted texts (the second item of :func:`compact_keywords`).
    rules : dict
        code -> regular expression.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(uniques), len(rules))``.
    """
    import pyarrow.compute as pc

    small = np.zeros((len(uniques), len(rules)), dtype=bool)
    for j, pattern in enumerate(rules.values()):
        small[:, j] = pc.match_substring_regex(uniques, _non_capturing(pattern)).to_numpy(zero_copy_only=False)
    return small


def weapon_matrix(text: pd.Series, compacted=None) -> np.ndarray:
    """Match :data:`WEAPON_RULES` and drop generic codes where a specific one matched.

    Parameters
    ----------
    text : pandas.Series
        Free text.
    compacted : tuple, optional
        See :func:`match_rules`.

    Returns
    -------
    numpy.ndarray
        Boolean matrix with the columns of :data:`WEAPON_RULES`.
    """
    return drop_superseded(match_rules(text, WEAPON_RULES, compacted))


def drop_superseded(masks: np.ndarray) -> np.ndarray:
    """Clear the generic weapon codes where a specific one matched (in place; returns ``masks``).

    Parameters
    ----------
    masks : numpy.ndarray
        Boolean matrix with the columns of :data:`WEAPON_RULES` (one row per text, or per
        distinct text from :func:`match_distinct`).

    Returns
    -------
    numpy.ndarray
        ``masks``.
    """
    codes = list(WEAPON_RULES)
    for generic, specifics in _WEAPON_SUPERSEDES.items():
        specific = masks[:, [codes.index(s) for s in specifics]].any(axis=1)
        masks[:, codes.index(generic)] &= ~specific
    return masks


def masks_to_lists(masks: np.ndarray, codes: list[str], default: list[str] | None = None,
                   rows: np.ndarray | None = None) -> np.ndarray:
    """Turn a boolean matrix into one list of codes per row, fast (one list per distinct pattern).

    Parameters
    ----------
    masks : numpy.ndarray
        Boolean matrix, rows x codes.
    codes : list of str
        Code of each column, in output order.
    default : list of str, optional
        List used for rows with no match (empty list by default).
    rows : numpy.ndarray, optional
        The row of ``masks`` for each output row (``masks`` then holds one row per distinct
        text, as from :func:`match_distinct`); by default one output row per row of ``masks``.

    Returns
    -------
    numpy.ndarray
        Object array of lists (rows with the same pattern share a list; copy
        before mutating).
    """
    n, k = masks.shape
    if n == 0:
        return np.empty(0 if rows is None else len(rows), dtype=object)
    weights = (np.int64(1) << np.arange(k, dtype=np.int64))
    keys = np.zeros(n, dtype=np.int64)
    for j in range(k):
        keys[masks[:, j]] |= weights[j]
    inverse, uniques = pd.factorize(keys)
    lists = np.empty(len(uniques), dtype=object)
    for i, key in enumerate(uniques):
        chosen = [codes[j] for j in range(k) if key >> j & 1]
        lists[i] = chosen if chosen else list(default or [])
    return lists[inverse] if rows is None else lists[inverse[rows]]


def column(masks: np.ndarray, rules: dict[str, str], code: str) -> np.ndarray:
    """Return the boolean column of ``code`` in a matrix built from ``rules``.

    Parameters
    ----------
    masks : numpy.ndarray
        Matrix from :func:`match_rules` or :func:`weapon_matrix`.
    rules : dict
        The rules the matrix was built from.
    code : str
        A key of ``rules``.

    Returns
    -------
    numpy.ndarray
        Boolean vector.
    """
    return masks[:, list(rules).index(code)]


def event_types_from_weapons(masks: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Derive an event type from weapon matches where a weapon says what kind of strike it was.

    Priority: missile (any) > drone > aerial bomb / air strike > artillery and
    thermobaric > mine; rows with none of these keep ``fallback``.

    Parameters
    ----------
    masks : numpy.ndarray
        Weapon matrix with the columns of :data:`WEAPON_RULES`.
    fallback : numpy.ndarray
        Event type per row when no weapon decides it.

    Returns
    -------
    numpy.ndarray
        Object array of event type codes.
    """

    def has(*codes: str) -> np.ndarray:
        return np.logical_or.reduce([column(masks, WEAPON_RULES, c) for c in codes])

    return np.select(
        [
            has("cruise_missile", "ballistic_missile", "anti_aircraft_missile", "missile_unspecified"),
            has("drone"),
            has("aerial_bomb", "air_strike_unspecified"),
            has("rocket_artillery", "tube_artillery", "artillery_unspecified", "thermobaric"),
            has("mine"),
        ],
        ["missile_strike", "drone_strike", "air_strike", "shelling", "mine"],
        default=np.asarray(fallback, dtype=object),
    ).astype(object)

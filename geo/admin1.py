"""Ukraine's 27 first-level units: ISO 3166-2 codes, English and Ukrainian names.

Facts authored by the project (ISO 3166-2:UA, as published by ISO and the
State Statistics Service of Ukraine). Crimea (UA-43), Sevastopol (UA-40) and
Kyiv city (UA-30) are Ukrainian oblast-level units and are always listed.
"""

from __future__ import annotations

import unicodedata

#: ISO 3166-2 -> (English name, Ukrainian name)
ADMIN1: dict[str, tuple[str, str]] = {
    "UA-05": ("Vinnytsia Oblast", "Вінницька область"),
    "UA-07": ("Volyn Oblast", "Волинська область"),
    "UA-09": ("Luhansk Oblast", "Луганська область"),
    "UA-12": ("Dnipropetrovsk Oblast", "Дніпропетровська область"),
    "UA-14": ("Donetsk Oblast", "Донецька область"),
    "UA-18": ("Zhytomyr Oblast", "Житомирська область"),
    "UA-21": ("Zakarpattia Oblast", "Закарпатська область"),
    "UA-23": ("Zaporizhzhia Oblast", "Запорізька область"),
    "UA-26": ("Ivano-Frankivsk Oblast", "Івано-Франківська область"),
    "UA-30": ("Kyiv", "Київ"),
    "UA-32": ("Kyiv Oblast", "Київська область"),
    "UA-35": ("Kirovohrad Oblast", "Кіровоградська область"),
    "UA-40": ("Sevastopol", "Севастополь"),
    "UA-43": ("Autonomous Republic of Crimea", "Автономна Республіка Крим"),
    "UA-46": ("Lviv Oblast", "Львівська область"),
    "UA-48": ("Mykolaiv Oblast", "Миколаївська область"),
    "UA-51": ("Odesa Oblast", "Одеська область"),
    "UA-53": ("Poltava Oblast", "Полтавська область"),
    "UA-56": ("Rivne Oblast", "Рівненська область"),
    "UA-59": ("Sumy Oblast", "Сумська область"),
    "UA-61": ("Ternopil Oblast", "Тернопільська область"),
    "UA-63": ("Kharkiv Oblast", "Харківська область"),
    "UA-65": ("Kherson Oblast", "Херсонська область"),
    "UA-68": ("Khmelnytskyi Oblast", "Хмельницька область"),
    "UA-71": ("Cherkasy Oblast", "Черкаська область"),
    "UA-74": ("Chernihiv Oblast", "Чернігівська область"),
    "UA-77": ("Chernivtsi Oblast", "Чернівецька область"),
}

# Spellings found in real boundary files (Natural Earth, geoBoundaries, GADM,
# OCHA) and in publishers' admin1 columns, keyed by their normalised form.
_ALIASES: dict[str, str] = {
    "crimea": "UA-43", "autonomous republic of crimea": "UA-43", "avtonomna respublika krym": "UA-43",
    "krym": "UA-43", "respublika krym": "UA-43", "republic of crimea": "UA-43",
    "mykolayiv": "UA-48", "mykolaiv": "UA-48", "nikolaev": "UA-48",
    "chernihiv": "UA-74", "chernigov": "UA-74",
    "rivne": "UA-56", "rovno": "UA-56",
    "chernivtsi": "UA-77", "chernovtsy": "UA-77",
    "ivano-frankivs'k": "UA-26", "ivano-frankivsk": "UA-26",
    "khmel'nyts'kyy": "UA-68", "khmelnytskyi": "UA-68", "khmelnytskyy": "UA-68", "khmelnitskiy": "UA-68",
    "l'viv": "UA-46", "lviv": "UA-46", "lvov": "UA-46",
    "ternopil'": "UA-61", "ternopil": "UA-61",
    "transcarpathia": "UA-21", "zakarpattia": "UA-21", "zakarpattya": "UA-21", "zakarpats'ka": "UA-21",
    "volyn": "UA-07", "volyn'": "UA-07",
    "cherkasy": "UA-71",
    "kirovohrad": "UA-35", "kirovograd": "UA-35", "kropyvnytskyi": "UA-35",
    "kiev": "UA-32", "kyiv oblast": "UA-32", "kiev oblast": "UA-32", "kyivska": "UA-32",
    "odessa": "UA-51", "odesa": "UA-51",
    "vinnytsya": "UA-05", "vinnytsia": "UA-05", "vinnitsa": "UA-05",
    "zhytomyr": "UA-18", "zhitomir": "UA-18",
    "sumy": "UA-59",
    "dnipropetrovs'k": "UA-12", "dnipropetrovsk": "UA-12", "dnepropetrovsk": "UA-12",
    "donets'k": "UA-14", "donetsk": "UA-14",
    "kharkiv": "UA-63", "kharkov": "UA-63",
    "luhans'k": "UA-09", "luhansk": "UA-09", "lugansk": "UA-09",
    "poltava": "UA-53",
    "zaporizhzhya": "UA-23", "zaporizhzhia": "UA-23", "zaporizhia": "UA-23", "zaporozhye": "UA-23",
    "kiev city": "UA-30", "kyiv city": "UA-30", "kyiv": "UA-30", "kyiv (city)": "UA-30", "city of kyiv": "UA-30",
    "kherson": "UA-65",
    "sevastopol": "UA-40", "sevastopol' city": "UA-40", "sevastopol city": "UA-40", "city of sevastopol": "UA-40",
}


def _normalise(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).strip().lower()
    text = text.replace("’", "'").replace("`", "'").replace("ʼ", "'")
    for suffix in (" oblast", " oblast'", " region", " province", "ska oblast"):
        if text.endswith(suffix) and text not in _ALIASES:
            text = text[: -len(suffix)].strip()
    return text


def iso_for_name(name: str | None) -> str | None:
    """Return the ISO 3166-2 code for an admin-1 name in any common spelling.

    Parameters
    ----------
    name : str or None
        English, transliterated, Ukrainian or Russian-derived spelling, or an
        ISO code itself.

    Returns
    -------
    str or None
        ``UA-xx`` or ``None`` when the name is not recognised.
    """
    if not name:
        return None
    text = name.strip()
    if text.upper() in ADMIN1:
        return text.upper()
    for iso, (english, ukrainian) in ADMIN1.items():
        if text in (english, ukrainian):
            return iso
    return _ALIASES.get(_normalise(text))


def oblast_label(code: str, lang: str = "en") -> str:
    """Return the name of a first-level unit in ``lang`` ("uk": Ukrainian, else English).

    Parameters
    ----------
    code : str
        ISO 3166-2 code (``"UA-63"``); an unknown code is returned as it is.
    lang : str
        Language code.

    Returns
    -------
    str
        E.g. ``"Kharkiv Oblast"`` / ``"Харківська область"``; Kyiv city reads "м. Київ" in Ukrainian.
    """
    names = ADMIN1.get(code)
    if names is None:
        return str(code)
    if lang != "uk":
        return names[0]
    return UK_CITY_NAMES.get(code, names[1])


#: The two cities with special status are written with "м." (місто) in Ukrainian official lists.
UK_CITY_NAMES: dict[str, str] = {"UA-30": "м. Київ", "UA-40": "м. Севастополь"}


"""The message catalogue: every marked message has a Ukrainian translation, and the translator works.

Messages are found the way ``pybabel extract`` finds them (``_``, ``N_``, ``gettext``, ``ngettext``,
``pgettext`` calls in app.py, pages/, ui/ and geo/); the catalogue is every ``.po`` file under
``geo/locales/uk/LC_MESSAGES``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from geo.i18n import LOCALES_DIR, N_, normalise_language, placeholders, translator

ROOT = Path(__file__).resolve().parents[1]
CODE_DIRS = ("pages", "ui", "geo")


def plain(text: str) -> str:
    """Babel writes no-break spaces (U+00A0, U+202F) where a reader sees spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _extract() -> dict[tuple[str | None, str | tuple], list[str]]:
    found: dict = {}
    for folder in CODE_DIRS:
        for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS
        ):
            found.setdefault((context, message), []).append(f"{folder}/{filename}:{lineno}")
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map=[("app.py", "python")], keywords=DEFAULT_KEYWORDS
    ):
        found.setdefault((context, message), []).append(f"{filename}:{lineno}")
    return found


def _catalogue() -> dict:
    entries: dict = {}
    for path in sorted((LOCALES_DIR / "uk" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="uk")
        for message in catalog:
            if message.id:
                key = (message.context, message.id)
                if key in entries:
                    # One message may sit in several area files (people work on areas in parallel),
                    # but it must read the same everywhere.
                    first, where = entries[key]
                    assert first.string == message.string, (
                        f"{message.id!r} is translated differently in {where} and {path.name}: "
                        f"{first.string!r} / {message.string!r}"
                    )
                    continue
                entries[key] = (message, path.name)
    return entries


def test_every_message_in_the_code_has_a_ukrainian_translation():
    found, entries = _extract(), _catalogue()
    missing = []
    for key, where in sorted(found.items(), key=lambda kv: kv[1][0]):
        entry = entries.get(key)
        if entry is None:
            missing.append(f"{where[0]}: {key[1]!r} is not in the catalogue")
            continue
        message = entry[0]
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(f"{where[0]}: {key[1]!r} has no (or a fuzzy) translation in {entry[1]}")
    assert not missing, f"{len(missing)} messages lack a translation:\n" + "\n".join(missing[:60])


def test_the_catalogue_holds_no_message_the_code_no_longer_uses():
    found, entries = _extract(), _catalogue()
    stale = [f"{name}: {key[1]!r}" for key, (_m, name) in entries.items() if key not in found]
    assert not stale, "remove these from the catalogue:\n" + "\n".join(stale[:60])


def test_translations_keep_every_placeholder_and_use_no_format_specs():
    problems = []
    for (_context, msgid), (message, name) in _catalogue().items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        wanted = set().union(*(placeholders(i) for i in ids))
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        for text in strings:
            if text and placeholders(text) != wanted and not (isinstance(msgid, tuple) and placeholders(text) <= wanted):
                problems.append(f"{name}: {msgid!r} -> {text!r}")
        for text in (*ids, *strings):
            if re.search(r"\{[A-Za-z_]\w*[:!]", text or ""):
                problems.append(f"{name}: format spec in {text!r} (numbers are formatted for the language)")
    assert not problems, "\n".join(problems[:60])


def test_no_message_is_built_with_an_f_string_or_concatenation_inside_the_marker():
    """``_(f"...")`` is invisible to the catalogue: the text would never be translated."""
    offenders = []
    for path in [ROOT / "app.py", *(p for d in CODE_DIRS for p in (ROOT / d).rglob("*.py"))]:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"(?<![\w.])(_|N_|gettext|ngettext|pgettext)\(\s*f[\"']", line):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}")
    assert not offenders, offenders


@pytest.mark.parametrize(
    "n, expected",
    [(1, "1 подія"), (2, "2 події"), (4, "4 події"), (5, "5 подій"), (11, "11 подій"), (12, "12 подій"),
     (21, "21 подія"), (22, "22 події"), (25, "25 подій"), (101, "101 подія"), (1_234, "1 234 події")],
)
def test_ukrainian_plurals_follow_the_three_forms(n, expected, monkeypatch):
    """The plural rule comes from the catalogue header (one / few / many)."""
    from geo import i18n

    catalogue = i18n.load_catalogue("uk")
    monkeypatch.setitem(catalogue.plurals, (None, "{n} event"), ("{n} подія", "{n} події", "{n} подій"))
    assert plain(translator("uk").ngettext("{n} event", "{n} events", n)) == expected


def test_english_needs_no_catalogue_and_unknown_text_falls_back_to_english():
    assert translator("en")("Map") == "Map"
    assert translator("en").ngettext("{n} event", "{n} events", 1) == "1 event"
    assert translator("en").ngettext("{n} event", "{n} events", 1234) == "1,234 events"
    assert translator("uk")("A message nobody translated") == "A message nobody translated"
    assert translator("uk")("Map") == "Мапа"
    assert N_("Map") == "Map"


def test_numbers_and_dates_are_formatted_for_the_language():
    uk, en = translator("uk"), translator("en")
    assert en.number(1234567) == "1,234,567" and plain(uk.number(1234567)) == "1 234 567"
    assert uk.number(12.5, 1) == "12,5" and en.number(12.5, 1) == "12.5"
    assert uk.number(None) == "—" and en.number(float("nan")) == "—"
    day = dt.date(2024, 7, 8)
    assert en.date(day) == "8 Jul 2024" and plain(uk.date(day)) == "8 лип. 2024 р."
    assert plain(uk.date(day, "long")) == "8 липня 2024 р." and uk.date(day, "iso") == "2024-07-08"
    assert plain(uk("{when}: {n}", when=day, n=1500)) == "8 лип. 2024 р.: 1 500"


@pytest.mark.parametrize(
    "tag, expected",
    [("uk", "uk"), ("uk-UA", "uk"), ("UK", "uk"), ("ua", "uk"), ("en_GB", "en"), ("en", "en"), ("de-DE", None),
     ("", None), (None, None), (3, None), ("<script>", None)],
)
def test_language_tags_are_normalised(tag, expected):
    assert normalise_language(tag) == expected


def test_a_broken_placeholder_in_a_translation_never_raises(monkeypatch):
    from geo import i18n

    catalogue = i18n.load_catalogue("uk")
    monkeypatch.setitem(catalogue.messages, (None, "{n} killed"), "{m} загинули")
    assert translator("uk")("{n} killed", n=3) == "{m} загинули"

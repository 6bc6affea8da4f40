"""The message catalogue: every word the app and its exports show, in English and Ukrainian.

English text is the message id (the gettext convention), so code reads naturally and English needs
no catalogue. Ukrainian translations live in gettext ``.po`` files under
``geo/locales/uk/LC_MESSAGES/``; any number of files (one per area of the code, so that people
working on different areas do not edit the same file) are merged into one catalogue. They are read
with Babel at first use and cached per process; no compiled ``.mo`` files are kept.

Marking messages (``pybabel extract`` and ``tests/test_i18n.py`` find them by these names):

- ``_ = translator(lang)`` then ``_("Killed")``, ``_("{n} of {total} events", n=3, total=10)``,
  ``_.ngettext("{n} event", "{n} events", n)``, ``_.pgettext("map layer", "Front line")``;
- ``N_("Residential")`` marks a message that is translated later (module-level constants);
- in the UI, ``from ui.i18n import _`` gives the same object for the session's language.

Placeholders use :meth:`str.format` names; integers, floats and dates passed as keyword arguments
are formatted for the language (``1 234`` and ``8 лип. 2024 р.`` in Ukrainian, ``1,234`` and
``8 Jul 2024`` in English). The geo layer never imports Streamlit: functions that produce text
take a ``lang`` argument.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import math
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LANGUAGES: dict[str, str] = {"en": "English", "uk": "Українська"}
DEFAULT_LANGUAGE = "en"
#: Babel locales for formatting: British English writes "8 Jul 2024", as newsrooms outside the US do.
_FORMAT_LOCALES = {"en": "en_GB", "uk": "uk_UA"}
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:[!:][^{}]*)?\}")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for the catalogue without translating it now (it is translated where shown)."""
    return message


def normalise_language(value: object) -> str | None:
    """Return ``"en"`` or ``"uk"`` for a language tag (``uk-UA``, ``en_GB``, ``UK``), else None.

    Parameters
    ----------
    value : object
        A language tag from a URL, a browser or a command line.

    Returns
    -------
    str or None
        A key of :data:`LANGUAGES`, or None when the tag names no language the app speaks.
    """
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-").split("-")[0].lower()[:8]
    if tag == "ua":  # the country code, often typed for the language
        tag = "uk"
    return tag if tag in LANGUAGES else None


def placeholders(message: str) -> set[str]:
    """Return the names of the ``{name}`` placeholders in ``message``."""
    return set(_PLACEHOLDER.findall(message))


class _Catalogue:
    """Translations of one language: singular messages, plural forms and the plural rule."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.messages: dict[tuple[str | None, str], str] = {}
        self.plurals: dict[tuple[str | None, str], tuple[str, ...]] = {}
        self.plural_index = lambda n: 0 if n == 1 else 1
        self.files: list[Path] = []

    def load(self, files: Iterable[Path]) -> _Catalogue:
        from babel.messages.pofile import read_po

        for path in sorted(files):
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=self.lang)
            self.files.append(path)
            self.plural_index = _gettext.c2py(catalog.plural_expr)
            for message in catalog:
                if not message.id or message.fuzzy:
                    continue
                if isinstance(message.id, tuple):
                    forms = tuple(message.string) if isinstance(message.string, (tuple, list)) else ()
                    if forms and all(forms):
                        self.plurals[(message.context, message.id[0])] = forms
                elif message.string:
                    self.messages[(message.context, message.id)] = message.string
        return self


@cache
def load_catalogue(lang: str) -> _Catalogue:
    """Return the merged catalogue of ``lang`` (empty for English, whose text is the message id).

    Parameters
    ----------
    lang : str
        A key of :data:`LANGUAGES`.

    Returns
    -------
    _Catalogue
        Messages, plural forms and the plural rule read from every ``.po`` file of the language.
    """
    catalogue = _Catalogue(lang)
    if lang == DEFAULT_LANGUAGE:
        return catalogue
    return catalogue.load((LOCALES_DIR / lang / "LC_MESSAGES").glob("*.po"))


class Translator:
    """Translate and format messages for one language (see the module docstring)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def __repr__(self) -> str:
        return f"Translator({self.lang!r})"

    def __call__(self, message: str, /, **values) -> str:
        """Translate ``message``; fill its placeholders from ``values`` (formatted for the language)."""
        return self._fill(load_catalogue(self.lang).messages.get((None, message), message), values)

    gettext = __call__

    def pgettext(self, context: str, message: str, /, **values) -> str:
        """Translate ``message`` in ``context`` (for short words that mean different things)."""
        return self._fill(load_catalogue(self.lang).messages.get((context, message), message), values)

    def ngettext(self, singular: str, plural: str, n: int, /, **values) -> str:
        """Translate the form of ``singular``/``plural`` that fits ``n`` (available as ``{n}``)."""
        catalogue = load_catalogue(self.lang)
        forms = catalogue.plurals.get((None, singular))
        count = int(n) if isinstance(n, (int, float)) and math.isfinite(n) else 0
        if forms:
            text = forms[min(catalogue.plural_index(abs(count)), len(forms) - 1)]
        else:
            text = singular if count == 1 else plural
        return self._fill(text, {"n": n, **values})

    def number(self, value, digits: int = 0) -> str:
        """Format a number for the language (grouping, decimal sign); "—" for missing values."""
        from babel.numbers import format_decimal

        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(value, format=pattern, locale=_FORMAT_LOCALES[self.lang])

    def date(self, value: dt.date, style: str = "medium") -> str:
        """Format a date for the language (``medium``: 8 Jul 2024 / 8 лип. 2024 р.; ``long``, ``iso``)."""
        from babel.dates import format_date

        if style == "iso":
            return value.isoformat()
        return format_date(value, format=style, locale=_FORMAT_LOCALES[self.lang])

    def _fill(self, text: str, values: dict) -> str:
        if not values:
            return text
        shown = {key: self._show(value) for key, value in values.items()}
        try:
            return text.format(**shown)
        except (KeyError, IndexError, ValueError):
            # A translation with a broken placeholder must not break the page; tests catch it.
            return text

    def _show(self, value):
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self.number(value, 0 if float(value).is_integer() else 1)
        if isinstance(value, dt.datetime):
            return self.date(value.date())
        if isinstance(value, dt.date):
            return self.date(value)
        return value


@cache
def translator(lang: str | None) -> Translator:
    """Return the translator of ``lang`` (English for None or an unknown language).

    Parameters
    ----------
    lang : str or None
        A key of :data:`LANGUAGES`.

    Returns
    -------
    Translator
        Callable as ``_("message", name=value)``; also ``ngettext``, ``pgettext``, ``number``, ``date``.
    """
    return Translator(normalise_language(lang) or DEFAULT_LANGUAGE)


class Message(str):
    """A message translated when it is shown, not when it is made.

    Exceptions and progress notes of the geo layer carry one, so that the app can show them in
    the session's language (``message.render("uk")``) while the command line prints English: a
    message *is* its English text (a ``str``), so code that joins, searches or prints it keeps
    working. Mark the text for the catalogue where it is written:
    ``Message(N_("{path} is unreadable"), path=...)``, ``Message.ngettext("{n} row", "{n} rows", n)``.
    Values may themselves be messages (rendered in the same language).
    """

    def __new__(cls, message: str, /, **values) -> Message:
        """Make the message ``message`` with the values of its placeholders."""
        return cls._make(str(message), None, None, None, values)

    @classmethod
    def _make(cls, singular: str, plural: str | None, n, context: str | None, values: dict) -> Message:
        made = str.__new__(cls, _render(singular, plural, n, context, values, DEFAULT_LANGUAGE))
        made.singular, made.plural, made.n, made.context, made.values = singular, plural, n, context, values
        return made

    def __getnewargs__(self):  # pickling: rebuilt from the English text, then __dict__ restores the rest
        return (str(self),)

    @classmethod
    def ngettext(cls, singular: str, plural: str, n: int, /, **values) -> Message:
        """Make a message with a plural form chosen by ``n`` (available as ``{n}``)."""
        return cls._make(singular, plural, n, None, values)

    @classmethod
    def pgettext(cls, context: str, message: str, /, **values) -> Message:
        """Make a message looked up in ``context``."""
        return cls._make(message, None, None, context, values)

    def render(self, lang: str | None) -> str:
        """Return the text in ``lang`` (English for None or an unknown language)."""
        return _render(self.singular, self.plural, self.n, self.context, self.values, lang)

    def __repr__(self) -> str:
        return f"Message({str(self)!r})"


class JoinedMessage(Message):
    """Parts joined by a separator (a list in a message), each part rendered in the message's language.

    Parts that are :class:`Message` are translated when shown; plain parts (a file's own column
    names, values) are shown as they are, never looked up in the catalogue.
    ``JoinedMessage("; ", [Message(N_("weapons from the text")), "arms → weapon_raw"])``.
    """

    def __new__(cls, separator: str, parts: list, suffix: str = "") -> JoinedMessage:
        """Join ``parts`` with ``separator`` and append ``suffix`` (both plain text)."""
        made = Message.__new__(cls, "{joined}", joined=separator.join(map(str, parts)) + suffix)
        made.separator, made.parts, made.suffix = separator, list(parts), suffix
        return made

    def __getnewargs__(self):  # pickling and copying rebuild it from its parts
        return (self.separator, self.parts, self.suffix)

    def render(self, lang: str | None) -> str:
        """Return the parts joined, messages in ``lang``; plain parts as they are."""
        return self.separator.join(p.render(lang) if isinstance(p, Message) else str(p) for p in self.parts) + self.suffix


def _render(singular: str, plural: str | None, n, context: str | None, values: dict, lang: str | None) -> str:
    _ = translator(lang)
    shown = {key: value.render(lang) if isinstance(value, Message) else value for key, value in values.items()}
    if plural is not None:
        return _.ngettext(singular, plural, n, **shown)
    if context is not None:
        return _.pgettext(context, singular, **shown)
    return _(singular, **shown)


def as_message(value: object) -> Message:
    """Return ``value`` as a :class:`Message`: its own, an exception's, or plain text (shown as it is)."""
    if isinstance(value, Message):
        return value
    carried = getattr(value, "msg", None)
    if isinstance(carried, Message):
        return carried
    return Message(str(value))


class TranslatedError(Exception):
    """Base of the geo exceptions that the app shows: ``exc.message(lang)`` gives the text in a language.

    Raise with a marked message and its values, ``raise DataDirError(N_("{path} is unreadable"),
    path=path)``, or with a :class:`Message`; ``str(exc)`` is the English text (the command line).
    Plain text works too (it is shown as it is, in every language).
    """

    def __init__(self, message: str | Message = "", /, **values) -> None:
        self.msg = message if isinstance(message, Message) else Message(message, **values)
        super().__init__(str(self.msg))

    def message(self, lang: str | None) -> str:
        """Return the message in ``lang``."""
        return self.msg.render(lang)


def error_message(exc: BaseException, lang: str | None) -> str:
    """Return the message of any exception in ``lang`` (translated when it carries a :class:`Message`).

    Parameters
    ----------
    exc : BaseException
        The exception to show.
    lang : str or None
        A key of :data:`LANGUAGES`.

    Returns
    -------
    str
        ``exc.message(lang)`` for a :class:`TranslatedError`; else the text of ``exc``, translated when
        it is a message of the catalogue (``raise ValueError(N_("..."))``).
    """
    carried = getattr(exc, "msg", None)
    if isinstance(carried, Message):
        return carried.render(lang)
    return render(str(exc), lang)


def render(text: object, lang: str | None) -> str:
    """Return ``text`` in ``lang``: a :class:`Message` rendered, plain text translated if the catalogue has it."""
    if isinstance(text, Message):
        return text.render(lang)
    return translator(lang)(str(text))

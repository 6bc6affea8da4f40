"""The session's language: the sidebar switch, ``lang=`` in the link, and ``_`` for UI text.

The language comes from, in order: the switch (once the user has used it), ``?lang=uk|en`` in the
link (so a shared link opens in the sender's language), the language this session already shows (a
page link in the sidebar drops the query string), the browser's language
(``st.context.locale``), English. It is always written back to the link.

``from ui.i18n import _`` gives a translator that follows the session's language at call time, so
module-level code can import it once: ``_("Filters")``, ``_("{n} events", n=3)``,
``_.ngettext(...)``, ``_.number(1234)``, ``_.date(day)``; :func:`current_language` gives the code
for geo functions that take ``lang``.
"""

from __future__ import annotations

import streamlit as st

from geo.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Translator,
    error_message,
    normalise_language,
    render,
    translator,
)

LANG_KEY = "ui_lang"
LANG_PARAM = "lang"
_CHOSEN_KEY = "lang_chosen"


def current_language() -> str:
    """Return the session's language code (a key of ``geo.i18n.LANGUAGES``)."""
    chosen = st.session_state.get(_CHOSEN_KEY)
    if chosen in LANGUAGES:
        return chosen
    from_link = normalise_language(st.query_params.get(LANG_PARAM))
    if from_link:
        return from_link
    # A page link in the sidebar opens its page without the query string: keep the session's language.
    previous = st.session_state.get(LANG_KEY)
    if previous in LANGUAGES:
        return previous
    try:
        from_browser = normalise_language(st.context.locale)
    except (AttributeError, RuntimeError):
        from_browser = None
    return from_browser or DEFAULT_LANGUAGE


def current_translator() -> Translator:
    """Return the translator of the session's language."""
    return translator(current_language())


class _SessionTranslator:
    """``_`` for the UI: the session's translator, looked up at each call."""

    def __call__(self, message: str, /, **values) -> str:
        return current_translator()(message, **values)

    def gettext(self, message: str, /, **values) -> str:
        return current_translator()(message, **values)

    def ngettext(self, singular: str, plural: str, n: int, /, **values) -> str:
        return current_translator().ngettext(singular, plural, n, **values)

    def pgettext(self, context: str, message: str, /, **values) -> str:
        return current_translator().pgettext(context, message, **values)

    def number(self, value, digits: int = 0) -> str:
        return current_translator().number(value, digits)

    def date(self, value, style: str = "medium") -> str:
        return current_translator().date(value, style)


_ = _SessionTranslator()


#: How date widgets write dates: ISO in English, day.month.year as Ukrainian readers write them.
DATE_WIDGET_FORMATS = {"en": "YYYY-MM-DD", "uk": "DD.MM.YYYY"}


def date_format() -> str:
    """Return the date format of date inputs, sliders and date columns for the session's language."""
    return DATE_WIDGET_FORMATS.get(current_language(), DATE_WIDGET_FORMATS[DEFAULT_LANGUAGE])


def error_text(exc: BaseException) -> str:
    """Return the message of ``exc`` in the session's language (see :func:`geo.i18n.error_message`)."""
    return error_message(exc, current_language())


def shown(text: object) -> str:
    """Return a geo message (:class:`geo.i18n.Message`, e.g. a progress note) in the session's language."""
    return render(text, current_language())


def _remember_choice() -> None:
    st.session_state[_CHOSEN_KEY] = st.session_state.get(LANG_KEY)


def render_language_switch() -> str:
    """Draw the language switch at the top of the sidebar, keep ``lang=`` in the link; return the code."""
    lang = current_language()
    # A plain key mirrors the widget: st.switch_page drops widget state, the choice must survive it.
    st.session_state[LANG_KEY] = lang
    with st.sidebar:
        st.radio("Мова / Language", list(LANGUAGES), key=LANG_KEY, format_func=LANGUAGES.get,
                 horizontal=True, label_visibility="collapsed", on_change=_remember_choice)
    if st.query_params.get(LANG_PARAM) != lang:
        st.query_params[LANG_PARAM] = lang
    return lang

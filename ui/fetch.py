"""The "Update data" panel: fetch from DeepStateMap, UCDP or ACLED only when the user presses the button."""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from pathlib import Path

import streamlit as st

from geo.i18n import N_
from ui.data import ENV_VAR, data_path
from ui.i18n import _, current_language, date_format, error_text, shown
from ui.text import escape_md, safe_link

RESULT_KEY = "fetch_result"
#: DeepStateMap snapshot spacing (geo.fetch.deepstate.EVERY) in words.
EVERY_LABELS = {"day": N_("day"), "week": N_("week"), "month": N_("month"), "all": N_("all (every snapshot)")}
DISABLE_ENV = "CONFLICTMAP_FETCH_PANEL"


# geo.fetch (the fetchers, requests) is imported where a panel is drawn: the Map page's first run needs none of it.


def _host(source_key: str) -> str:
    from geo.fetch import SOURCES

    return urllib.parse.urlsplit(SOURCES[source_key].base_url(dict(os.environ))).netloc


def command_for(source_key: str, target: str) -> str:
    """Return the equivalent command line (to run on a connected machine)."""
    extra = " --accept-licence deepstate" if source_key == "deepstate" else ""
    return f"python -m geo fetch {source_key} --out {target or 'DIR'}{extra}"


def render_licence(source_key: str) -> None:
    """Show a source's licence condition and link (DeepStateMap's must be confirmed before fetching)."""
    from geo.fetch import SOURCES

    source = SOURCES[source_key]
    if source.licence_condition:
        st.warning(escape_md(_(source.licence_condition)))
    link = safe_link(source.licence_url) if source.licence_url else None
    if link:
        st.markdown(_("Licence and terms: {link}", link=link))


def _credentials(source_key: str) -> dict:
    env: dict[str, str] = {}
    if source_key == "ucdp" and not (os.environ.get("UCDP_ACCESS_TOKEN") or os.environ.get("UCDP_API_TOKEN")):
        token = st.text_input(_("UCDP access token"), type="password", key="fetch_ucdp_token",
                              help=_("Kept in this browser session only; never written to the data directory."))
        if token:
            env["UCDP_ACCESS_TOKEN"] = token
    if source_key == "acled" and not (os.environ.get("ACLED_USERNAME") or os.environ.get("ACLED_EMAIL")):
        user = st.text_input(_("myACLED username (e-mail)"), key="fetch_acled_user")
        if user:
            env["ACLED_USERNAME"] = user
    if source_key == "acled" and not os.environ.get("ACLED_PASSWORD"):
        password = st.text_input(_("myACLED password"), type="password", key="fetch_acled_password",
                                 help=_("Used once to get a token; the token is cached in your user configuration "
                                        "folder, never in the data directory."))
        if password:
            env["ACLED_PASSWORD"] = password
    return env


def render_fetch_panel() -> None:
    """Render the Update data panel: source, period, licence, credentials, progress and summary."""
    from geo.fetch import SOURCES, FetchOptions, run_fetch
    from geo.fetch.deepstate import EVERY
    from geo.fetch.http import FetchError

    if os.environ.get(DISABLE_ENV, "").strip().lower() in ("off", "0", "false", "no"):
        st.write(_("Fetching is switched off on this server. Run `python -m geo fetch` where the data directory "
                   "lives."))
        return
    st.write(_(
        "Get new data straight from the publishers and add it to a data directory: the app contacts nobody "
        "until you press the button, and then only the host named below."
    ))
    configured = data_path()
    if configured:
        target = configured
        st.caption(_("Data directory: {path}", path=escape_md(configured)))
    else:
        target = st.text_input(_("Data directory to create or update"), key="fetch_dir",
                               placeholder=_("/path/to/conflictmap-data")).strip()
    keys = list(SOURCES)
    source_key = st.radio(_("Source"), keys, key="fetch_source", horizontal=True,
                          format_func={k: _(SOURCES[k].name) for k in keys}.get)
    render_licence(source_key)
    options: dict = {}
    if source_key == "deepstate":
        options["every"] = st.selectbox(_("One snapshot per"), EVERY, index=EVERY.index("week"), key="fetch_every",
                                        format_func={k: _(EVERY_LABELS.get(k, k)) for k in EVERY}.get)
        confirmed = st.checkbox(_("My use meets DeepStateMap's licence condition (volunteer or charitable work, the "
                                  "defence of Ukraine, or DeepStateMap approved it)"), key="fetch_licence_ok")
        if confirmed:
            options["accept_licences"] = frozenset({"deepstate"})
    if source_key == "acled":
        if st.checkbox(_("Also Russia (events near the border; others are set aside)"), key="fetch_russia"):
            options["acled_countries"] = ("Ukraine", "Russia")
    whole = st.checkbox(_("Choose the period (otherwise: everything new since the last fetch)"), key="fetch_period")
    if whole:
        left, right = st.columns(2)
        options["since"] = left.date_input(_("From"), value=dt.date(2022, 2, 24), key="fetch_since",
                                           format=date_format())
        options["until"] = right.date_input(_("To"), value=dt.date.today(), key="fetch_until", format=date_format())
    env = {**os.environ, **_credentials(source_key)}
    host = _host(source_key)
    st.caption(_("Pressing the button contacts **{host}** only. Offline? Run this on a connected computer and "
                 "copy the data directory here: {command}",
                 host=escape_md(host), command=f"`{command_for(source_key, target)}`"))
    blocked = not target or (source_key == "deepstate" and "accept_licences" not in options)
    if st.button(_("Fetch now"), key="fetch_run", disabled=blocked, type="primary"):
        bar = st.progress(0.0, text=_("Contacting {host}…", host=host))

        def progress(message: str, fraction: float | None) -> None:
            bar.progress(min(1.0, max(0.0, fraction)) if fraction is not None else 0.5, text=shown(message)[:200])

        try:
            summary = run_fetch(source_key, Path(target).expanduser(),
                                FetchOptions(env=env, progress=progress, prompt=None, **options))
        except FetchError as exc:
            st.session_state[RESULT_KEY] = ("error", error_text(exc), [])
        except OSError as exc:
            reason = exc.strerror or error_text(exc)
            st.session_state[RESULT_KEY] = ("error", _("Could not write to {path}: {reason}", path=target,
                                                       reason=reason), [])
        else:
            st.session_state[RESULT_KEY] = ("ok", summary.line(current_language()),
                                            [shown(note) for note in summary.messages])
        bar.empty()
    result = st.session_state.get(RESULT_KEY)
    if result:
        kind, line, notes = result
        (st.success if kind == "ok" else st.error)(escape_md(line))
        for note in notes[:20]:
            st.caption(escape_md(note))
        if kind == "ok" and target != configured:
            st.info(_("Restart the app with {setting} to explore this data directory.",
                      setting=f"`{ENV_VAR}={escape_md(target)}`"))


def render_frontline_offer() -> None:
    """Offer the DeepStateMap fetch (with its licence condition) where no front line is loaded."""
    with st.expander(_("Fetch DeepStateMap front lines")):
        render_licence("deepstate")
        st.write(_("On the Data & sources page, the Update data panel fetches weekly or monthly snapshots once you "
                   "confirm the condition; or run:"))
        st.code(command_for("deepstate", data_path() or "DIR"), language="bash", wrap_lines=True)

"""The "Update data" panel: fetch from DeepStateMap, UCDP or ACLED only when the user presses the button."""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from pathlib import Path

import streamlit as st

from geo.fetch import SOURCES, FetchOptions, run_fetch
from geo.fetch.deepstate import EVERY
from geo.fetch.http import FetchError
from ui.data import ENV_VAR, data_path
from ui.text import escape_md, safe_link

RESULT_KEY = "fetch_result"
DISABLE_ENV = "CONFLICTMAP_FETCH_PANEL"


def _host(source_key: str) -> str:
    return urllib.parse.urlsplit(SOURCES[source_key].base_url(dict(os.environ))).netloc


def command_for(source_key: str, target: str) -> str:
    """Return the equivalent command line (to run on a connected machine)."""
    extra = " --accept-licence deepstate" if source_key == "deepstate" else ""
    return f"python -m geo fetch {source_key} --out {target or 'DIR'}{extra}"


def render_licence(source_key: str) -> None:
    """Show a source's licence condition and link (DeepStateMap's must be confirmed before fetching)."""
    source = SOURCES[source_key]
    if source.licence_condition:
        st.warning(escape_md(source.licence_condition))
    link = safe_link(source.licence_url) if source.licence_url else None
    if link:
        st.markdown(f"Licence and terms: {link}")


def _credentials(source_key: str) -> dict:
    env: dict[str, str] = {}
    if source_key == "ucdp" and not (os.environ.get("UCDP_ACCESS_TOKEN") or os.environ.get("UCDP_API_TOKEN")):
        token = st.text_input("UCDP access token", type="password", key="fetch_ucdp_token",
                              help="Kept in this browser session only; never written to the data directory.")
        if token:
            env["UCDP_ACCESS_TOKEN"] = token
    if source_key == "acled" and not (os.environ.get("ACLED_USERNAME") or os.environ.get("ACLED_EMAIL")):
        user = st.text_input("myACLED username (e-mail)", key="fetch_acled_user")
        if user:
            env["ACLED_USERNAME"] = user
    if source_key == "acled" and not os.environ.get("ACLED_PASSWORD"):
        password = st.text_input("myACLED password", type="password", key="fetch_acled_password",
                                 help="Used once to get a token; the token is cached in your user configuration "
                                      "folder, never in the data directory.")
        if password:
            env["ACLED_PASSWORD"] = password
    return env


def render_fetch_panel() -> None:
    """Render the Update data panel: source, period, licence, credentials, progress and summary."""
    if os.environ.get(DISABLE_ENV, "").strip().lower() in ("off", "0", "false", "no"):
        st.write("Fetching is switched off on this server. Run `python -m geo fetch` where the data directory lives.")
        return
    st.write(
        "Get new data straight from the publishers and add it to a data directory: the app contacts nobody "
        "until you press the button, and then only the host named below."
    )
    configured = data_path()
    if configured:
        target = configured
        st.caption(f"Data directory: {escape_md(configured)}")
    else:
        target = st.text_input("Data directory to create or update", key="fetch_dir",
                               placeholder="/path/to/conflictmap-data").strip()
    keys = list(SOURCES)
    source_key = st.radio("Source", keys, key="fetch_source", horizontal=True,
                          format_func=lambda k: SOURCES[k].name)
    render_licence(source_key)
    options: dict = {}
    if source_key == "deepstate":
        options["every"] = st.selectbox("One snapshot per", EVERY, index=EVERY.index("week"), key="fetch_every")
        confirmed = st.checkbox("My use meets DeepStateMap's licence condition (volunteer or charitable work, the "
                                "defence of Ukraine, or DeepStateMap approved it)", key="fetch_licence_ok")
        if confirmed:
            options["accept_licences"] = frozenset({"deepstate"})
    if source_key == "acled":
        if st.checkbox("Also Russia (events near the border; others are set aside)", key="fetch_russia"):
            options["acled_countries"] = ("Ukraine", "Russia")
    whole = st.checkbox("Choose the period (otherwise: everything new since the last fetch)", key="fetch_period")
    if whole:
        left, right = st.columns(2)
        options["since"] = left.date_input("From", value=dt.date(2022, 2, 24), key="fetch_since")
        options["until"] = right.date_input("To", value=dt.date.today(), key="fetch_until")
    env = {**os.environ, **_credentials(source_key)}
    host = _host(source_key)
    st.caption(f"Pressing the button contacts **{escape_md(host)}** only. Offline? Run this on a connected "
               f"computer and copy the data directory here: `{command_for(source_key, target)}`")
    blocked = not target or (source_key == "deepstate" and "accept_licences" not in options)
    if st.button("Fetch now", key="fetch_run", disabled=blocked, type="primary"):
        bar = st.progress(0.0, text=f"Contacting {host}…")

        def progress(message: str, fraction: float | None) -> None:
            bar.progress(min(1.0, max(0.0, fraction)) if fraction is not None else 0.5, text=message[:200])

        try:
            summary = run_fetch(source_key, Path(target).expanduser(),
                                FetchOptions(env=env, progress=progress, prompt=None, **options))
        except FetchError as exc:
            st.session_state[RESULT_KEY] = ("error", str(exc), [])
        except OSError as exc:
            st.session_state[RESULT_KEY] = ("error", f"Could not write to {target}: {exc.strerror or exc}", [])
        else:
            st.session_state[RESULT_KEY] = ("ok", summary.line(), list(summary.messages))
        bar.empty()
    result = st.session_state.get(RESULT_KEY)
    if result:
        kind, line, notes = result
        (st.success if kind == "ok" else st.error)(escape_md(line))
        for note in notes[:20]:
            st.caption(escape_md(note))
        if kind == "ok" and target != configured:
            st.info(f"Restart the app with `{ENV_VAR}={escape_md(target)}` to explore this data directory.")


def render_frontline_offer() -> None:
    """Offer the DeepStateMap fetch (with its licence condition) where no front line is loaded."""
    with st.expander("Fetch DeepStateMap front lines"):
        render_licence("deepstate")
        st.write("On the Data & sources page, the Update data panel fetches weekly or monthly snapshots once you "
                 "confirm the condition; or run:")
        st.code(command_for("deepstate", data_path() or "DIR"), language="bash")

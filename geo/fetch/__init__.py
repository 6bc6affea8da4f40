"""Fetch fresh data from the publishers' APIs into a data directory (``python -m geo fetch``).

One module per publisher (:mod:`geo.fetch.deepstate`, :mod:`geo.fetch.ucdp`,
:mod:`geo.fetch.acled`) on a shared polite HTTP client (:mod:`geo.fetch.http`) and
fetch state (:mod:`geo.fetch.state`). Nothing here runs on import or on its own: the
network is used only when the user runs the command or presses the panel's button.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geo.fetch import acled, deepstate, ucdp
from geo.fetch.common import FetchOptions, FetchSummary
from geo.fetch.http import FetchError, HttpClient
from geo.i18n import N_, Message


@dataclass(frozen=True)
class FetchSource:
    """What the command line and the panel need to know about one fetchable publisher."""

    key: str
    name: str
    env_base: str
    default_base: str
    licence_url: str | None
    licence_condition: str | None
    credentials: tuple[str, ...]

    def base_url(self, env: dict) -> str:
        """Return the address that will be contacted (environment override or default)."""
        return (env.get(self.env_base) or self.default_base).rstrip("/")


SOURCES: dict[str, FetchSource] = {
    deepstate.SOURCE: FetchSource(deepstate.SOURCE, deepstate.NAME, deepstate.ENV_BASE, deepstate.DEFAULT_BASE,
                                  deepstate.LICENCE_URL, deepstate.LICENCE_CONDITION, ()),
    ucdp.SOURCE: FetchSource(ucdp.SOURCE, ucdp.NAME, ucdp.ENV_BASE, ucdp.DEFAULT_BASE,
                             "https://ucdp.uu.se/apidocs/", None, ucdp.TOKEN_ENVS[:1]),
    acled.SOURCE: FetchSource(acled.SOURCE, acled.NAME, acled.ENV_BASE, acled.DEFAULT_BASE,
                              "https://acleddata.com/", None, (acled.USER_ENVS[0], acled.PASSWORD_ENV)),
}
_FETCHERS = {deepstate.SOURCE: deepstate.fetch, ucdp.SOURCE: ucdp.fetch, acled.SOURCE: acled.fetch}


def run_fetch(source: str, out: Path | str, options: FetchOptions, client: HttpClient | None = None) -> FetchSummary:
    """Fetch one publisher's new data into ``out`` and import it.

    Parameters
    ----------
    source : str
        One of :data:`SOURCES`.
    out : Path or str
        Data directory (created if missing).
    options : FetchOptions
        What to fetch and how to report.
    client : HttpClient, optional
        HTTP client (default: a polite one).

    Returns
    -------
    FetchSummary
        New, updated, unchanged and quarantined records and the files written.

    Raises
    ------
    geo.fetch.http.FetchError
        Any known failure, with a one-line message.
    """
    if source not in _FETCHERS:
        raise FetchError(N_("unknown source {source}; use one of {choices}."), source=repr(source),
                         choices=", ".join(SOURCES))
    if source == deepstate.SOURCE:
        deepstate.check_licence(options)
    from geo.datadir import DataDirError
    from geo.dirlock import DataDirBusyError, DataDirNotWritableError, lock_data_dir
    from geo.schema import UnreadableFileError

    out = Path(out)
    try:
        with lock_data_dir(out):
            return _FETCHERS[source](out, options, client)
    except (DataDirBusyError, DataDirNotWritableError, DataDirError, UnreadableFileError) as exc:
        carried = getattr(exc, "msg", None)
        if isinstance(carried, Message) and "\n" not in carried:
            raise FetchError(carried) from exc
        raise FetchError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc


__all__ = ["SOURCES", "FetchError", "FetchOptions", "FetchSource", "FetchSummary", "run_fetch"]

"""A small, polite HTTP client for the publishers' APIs (standard library only).

Every request names the project in its ``User-Agent``, waits at least
:data:`MIN_INTERVAL_S` after the previous one, and retries 429 and 5xx answers and
network failures with exponential backoff (honouring ``Retry-After``). Known
failures become one :class:`FetchError` subclass each, with a one-line message that
never contains a credential: headers and request bodies are never put in messages.
"""

from __future__ import annotations

import http.client
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from geo import __version__
from geo.i18n import N_, Message, TranslatedError

#: Seconds between two requests to the same publisher (override: CONFLICTMAP_FETCH_INTERVAL).
MIN_INTERVAL_S = 1.0
#: Attempts per request before giving up on 429 / 5xx / network errors.
MAX_ATTEMPTS = 5
#: First backoff in seconds; doubled on each retry, capped at :data:`MAX_BACKOFF_S`.
BACKOFF_S = 2.0
MAX_BACKOFF_S = 120.0
TIMEOUT_S = 60.0
USER_AGENT = f"conflictmap/{__version__} (conflict-incident mapping dashboard; python -m geo fetch)"


class FetchError(TranslatedError, RuntimeError):
    """A fetch failed for a known reason; the message is one line and safe to show and log.

    ``exc.message(lang)`` gives it in a language (:class:`geo.i18n.TranslatedError`); ``what``
    values (what was being fetched) may be :class:`geo.i18n.Message` objects too.
    """


class NetworkError(FetchError):
    """The publisher could not be reached, or kept answering with server errors."""


class AuthError(FetchError):
    """The publisher rejected the credentials or the token."""


class QuotaError(FetchError):
    """The publisher kept refusing with 429 (too many requests / quota used up)."""


class FormatError(FetchError):
    """The publisher answered with something this project cannot read (changed API?)."""


class NotFoundError(FetchError):
    """The resource does not exist (HTTP 404)."""


class CredentialsMissing(FetchError):
    """No credentials were given (environment variables or prompt)."""


class LicenceNotAccepted(FetchError):
    """The publisher's licence condition has not been confirmed."""


def _env_float(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value >= 0 else default


@dataclass
class Response:
    """An HTTP answer: status, headers (lower-case names) and the body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes
    url: str

    def json(self, what: str) -> object:
        """Return the body parsed as JSON, or raise :class:`FormatError` naming ``what``."""
        try:
            return json.loads(self.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FormatError(N_("{what}: the answer from {host} is not JSON; the API may have changed."),
                              what=what, host=_host(self.url)) from exc


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def _safe_url(url: str) -> str:
    """Return the URL without its query string (queries can carry user input; never credentials here)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class HttpClient:
    """Polite HTTP client: rate limit, retries with backoff, one-line errors.

    Attributes
    ----------
    min_interval : float
        Seconds between requests.
    max_attempts : int
        Tries per request on 429 / 5xx / network failures.
    backoff : float
        First backoff in seconds (doubles each retry).
    sleep : callable
        Sleep function (tests pass a recorder).
    log : callable
        Receives one-line progress notes (never credentials).
    """

    min_interval: float = field(default_factory=lambda: _env_float("CONFLICTMAP_FETCH_INTERVAL", MIN_INTERVAL_S))
    max_attempts: int = MAX_ATTEMPTS
    backoff: float = field(default_factory=lambda: _env_float("CONFLICTMAP_FETCH_BACKOFF", BACKOFF_S))
    timeout: float = TIMEOUT_S
    sleep: Callable[[float], None] = time.sleep
    log: Callable[[str | Message], None] = lambda message: None
    requests_made: int = 0
    _last: float = 0.0

    def _wait_turn(self) -> None:
        gap = self.min_interval - (time.monotonic() - self._last)
        if self._last and gap > 0:
            self.sleep(gap)
        self._last = time.monotonic()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict | None = None,
        headers: dict | None = None,
        data: dict | None = None,
        what: str = "request",
        ok_statuses: tuple[int, ...] = (200,),
    ) -> Response:
        """Send a request and return the answer, retrying transient failures.

        Parameters
        ----------
        method : str
            "GET" or "POST".
        url : str
            Address without query; ``params`` are encoded onto it.
        params : dict, optional
            Query parameters.
        headers : dict, optional
            Extra headers (e.g. authorisation); never logged.
        data : dict, optional
            Form fields for a POST (``application/x-www-form-urlencoded``); never logged.
        what : str
            Short description for messages ("UCDP GED page 3").
        ok_statuses : tuple of int
            Statuses returned as a :class:`Response` instead of raising.

        Returns
        -------
        Response
            The answer.

        Raises
        ------
        AuthError, QuotaError, NetworkError, NotFoundError, FetchError
            With a one-line, credential-free message.
        """
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
        body = urllib.parse.urlencode(data).encode("ascii") if data is not None else None
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        host = _host(url)
        last_problem = ""
        for attempt in range(1, self.max_attempts + 1):
            self._wait_turn()
            self.requests_made += 1
            request = urllib.request.Request(url, data=body, headers=all_headers, method=method)
            wait: float | None = None
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 (http/https only, checked by callers)
                    response = Response(answer.status, {k.lower(): v for k, v in answer.headers.items()},
                                        answer.read(), url)
            except urllib.error.HTTPError as exc:
                status = exc.code
                headers_lc = {k.lower(): v for k, v in (exc.headers or {}).items()}
                try:
                    payload = exc.read()
                except OSError:
                    payload = b""
                response = Response(status, headers_lc, payload, url)
                if status in ok_statuses:
                    return response
                if status == 429 or status >= 500:
                    last_problem = Message("HTTP {status}", status=str(status))
                    wait = _retry_after(headers_lc.get("retry-after"))
                elif status in (401, 403):
                    raise AuthError(N_("{what}: {host} refused access (HTTP {status}). Check the credentials "
                                       "or token and that your account may use this API."),
                                    what=what, host=host, status=str(status)) from None
                elif status == 404:
                    raise NotFoundError(N_("{what}: {host} has no such resource (HTTP 404, {url})."),
                                        what=what, host=host, url=_safe_url(url)) from None
                else:
                    raise FetchError(N_("{what}: {host} answered HTTP {status} ({url})."),
                                     what=what, host=host, status=str(status), url=_safe_url(url)) from None
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as exc:
                reason = getattr(exc, "reason", exc)
                last_problem = Message(N_("network error: {reason}"), reason=str(reason))
            else:
                if response.status in ok_statuses:
                    return response
                raise FetchError(N_("{what}: {host} answered HTTP {status} ({url})."),
                                 what=what, host=host, status=str(response.status), url=_safe_url(url))
            if attempt == self.max_attempts:
                break
            delay = min(MAX_BACKOFF_S, self.backoff * (2 ** (attempt - 1)))
            if wait is not None:
                delay = min(MAX_BACKOFF_S, max(delay, wait))
            self.log(Message(N_("{what}: {problem}; retrying in {seconds} s (attempt {attempt} of {attempts})"),
                             what=what, problem=last_problem, seconds=round(delay), attempt=attempt + 1,
                             attempts=self.max_attempts))
            self.sleep(delay)
        if str(last_problem) == "HTTP 429":
            raise QuotaError(N_("{what}: {host} kept answering 429 (too many requests or quota used up) after "
                                "{attempts} attempts; try again later."), what=what, host=host,
                             attempts=self.max_attempts)
        raise NetworkError(N_("{what}: could not get an answer from {host} ({problem}) after {attempts} attempts. "
                              "Check the connection and run the same command again to resume."),
                           what=what, host=host, problem=last_problem, attempts=self.max_attempts)

    def get_json(self, url: str, *, what: str, params: dict | None = None, headers: dict | None = None) -> object:
        """GET ``url`` and return the parsed JSON body."""
        return self.request("GET", url, params=params, headers=headers, what=what).json(what)

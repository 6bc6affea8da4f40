"""``python -m geo fetch SOURCE --out DIR``: the command-line face of :mod:`geo.fetch`."""

from __future__ import annotations

import argparse
import getpass
import sys

from geo.fetch import SOURCES, FetchOptions, run_fetch
from geo.fetch.common import parse_date
from geo.fetch.deepstate import EVERY
from geo.fetch.http import FetchError


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``python -m geo fetch``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-command's parser.
    """
    parser.add_argument("source", choices=sorted(SOURCES), metavar="SOURCE",
                        help=f"publisher to fetch from: {', '.join(sorted(SOURCES))}")
    parser.add_argument("--out", required=True, metavar="DIR", help="data directory to update (created if missing)")
    parser.add_argument("--since", metavar="DATE", help="first day (YYYY-MM-DD); default: since the last fetch")
    parser.add_argument("--until", metavar="DATE", help="last day (YYYY-MM-DD); default: today")
    parser.add_argument("--accept-licence", action="append", default=[], metavar="SOURCE",
                        help="confirm that your use meets the publisher's licence condition (deepstate)")
    parser.add_argument("--every", choices=EVERY, default="week",
                        help="DeepStateMap: one snapshot per day, week (default) or month, or all")
    parser.add_argument("--no-latest", action="store_true", help="DeepStateMap: do not add the newest snapshot")
    parser.add_argument("--ucdp-version", metavar="VERSION", help="UCDP GED yearly release (default 25.1)")
    parser.add_argument("--ucdp-candidate", action="append", metavar="VERSION",
                        help="UCDP candidate release(s) to fetch, e.g. 25.0.3 (default: discover the next ones)")
    parser.add_argument("--with-russia", action="store_true",
                        help="ACLED: also fetch Russia (events beyond the study area are quarantined)")
    parser.add_argument("--download-only", action="store_true", help="download, but do not import into DIR")
    parser.set_defaults(func=run_fetch_command)


def _prompt(label: str, secret: bool) -> str:
    if not sys.stdin.isatty():
        return ""
    return getpass.getpass(f"{label}: ") if secret else input(f"{label}: ")


def _progress(message: str, fraction: float | None) -> None:
    print(message, file=sys.stderr)


def run_fetch_command(args: argparse.Namespace) -> int:
    """Run ``python -m geo fetch``; known problems print one line and return 2.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.

    Returns
    -------
    int
        Exit status.
    """
    try:
        options = FetchOptions(
            since=parse_date(args.since, "--since"),
            until=parse_date(args.until, "--until"),
            accept_licences=frozenset(a.strip().lower() for a in args.accept_licence),
            every=args.every,
            include_latest=not args.no_latest,
            ucdp_version=args.ucdp_version,
            ucdp_candidates=tuple(args.ucdp_candidate) if args.ucdp_candidate else None,
            acled_countries=("Ukraine", "Russia") if args.with_russia else ("Ukraine",),
            build=not args.download_only,
            prompt=_prompt,
            progress=_progress,
        )
        source = SOURCES[args.source]
        if source.licence_condition and args.source in options.accept_licences:
            print(f"{source.name}: {source.licence_condition} ({source.licence_url})", file=sys.stderr)
        summary = run_fetch(args.source, args.out, options)
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: what was downloaded is kept; run the same command again to resume.", file=sys.stderr)
        return 130
    print(summary.line())
    for message in summary.messages:
        print(f"note: {message}")
    return 0

"""``python -m geo export DIR --out OUTDIR [filters]``: every chart, the map, the data, the citation.

Newsrooms that script their weekly charts get exactly what the app's download
buttons give: the same figure builders (:func:`geo.viz.charts.build_standard_charts`),
the same captions and engine (:mod:`geo.exports`) and the same citation
(:mod:`geo.citation`). Filter options mirror the app's URL parameters.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path

from geo.bounds import bounded_float, bounded_int
from geo.citation import build_citation
from geo.datadir import DataBundle, DataDirError, load_bundle
from geo.exports import ExportError, build_export_context, shutdown_export_engine, write_view_export
from geo.filters import Filters, filter_mask
from geo.population import load_population
from geo.viz.charts import DEFAULT_BAND_EDGES, FREQUENCIES, build_standard_charts

_MULTI = {"target": "tt", "weapon": "wp", "oblast": "ob", "source": "src"}
_SINGLE = {
    "date_from": "from",
    "date_to": "to",
    "killed_min": "kmin",
    "killed_max": "kmax",
    "injured_min": "imin",
    "injured_max": "imax",
    "front_min": "fmin",
    "front_max": "fmax",
    "text": "q",
}


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the app's filters as options (``--from``, ``--target`` …) to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-parser (``export``, ``animate``).
    """
    group = parser.add_argument_group("filters (same as the app's)")
    group.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    group.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    group.add_argument("--target", action="append", metavar="CODE", help="target type code, repeatable")
    group.add_argument("--weapon", action="append", metavar="CODE", help="weapon code, repeatable")
    group.add_argument("--oblast", action="append", metavar="UA-xx", help="ISO 3166-2 code, repeatable")
    group.add_argument("--source", action="append", metavar="KEY", help="source key, repeatable")
    for flag in ("--killed-min", "--killed-max", "--injured-min", "--injured-max"):
        group.add_argument(flag, type=bounded_int("casualties"), metavar="N", help="0 to 1,000,000")
    not_reported = group.add_mutually_exclusive_group()
    not_reported.add_argument(
        "--include-not-reported", action="store_true",
        help="casualty ranges also keep events that report no figure (default: they are dropped)",
    )
    not_reported.add_argument("--exclude-not-reported", action="store_true", help="the default; kept for old scripts")
    group.add_argument("--front-min", type=bounded_float("front_distance_km"), metavar="KM")
    group.add_argument("--front-max", type=bounded_float("front_distance_km"), metavar="KM")
    group.add_argument("--category", action="append", metavar="CODE",
                       help="event category code, repeatable, or 'all' (default: civilian harm: strike_civilian, "
                            "attack_civilians)")
    group.add_argument("--count", choices=("events", "records"), default="events",
                       help="count fused events (default) or every source record")
    group.add_argument("--precise-only", action="store_true")
    group.add_argument("--text", metavar="TEXT", help="substring of location or description")


def add_export_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``export`` sub-command's arguments to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-parser.

    Returns
    -------
    argparse.ArgumentParser
        ``parser``.
    """
    parser.add_argument("dir", metavar="DIR", help="data directory ('default' for the bundled data)")
    parser.add_argument("--out", required=True, metavar="OUTDIR", help="where to write the export")
    add_filter_arguments(parser)
    charts = parser.add_argument_group("charts")
    charts.add_argument(
        "--bands", default=",".join(f"{e:g}" for e in DEFAULT_BAND_EDGES), help="distance band starts in km"
    )
    charts.add_argument(
        "--threshold", type=bounded_float("threshold_km"), default=100.0, metavar="KM", help="'beyond N km' threshold"
    )
    charts.add_argument(
        "--include-imprecise", action="store_true", help="use approximate locations in distance charts"
    )
    charts.add_argument("--freq", choices=tuple(FREQUENCIES), default="month")
    charts.add_argument("--no-map", action="store_true", help="skip map.html and map.png")
    charts.add_argument("--data-only", action="store_true",
                        help="only the data files and the citation: no chart images and no map (no browser needed)")
    charts.add_argument("--lang", choices=("en", "uk"), default="en",
                        help="language of every word in the export: chart images, captions, data notes, citation")
    return parser


def filters_from_args(
    args: argparse.Namespace, known_sources: tuple[str, ...] | None = None
) -> tuple[Filters, list[str]]:
    """Turn parsed command-line options into :class:`geo.filters.Filters`.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options.
    known_sources : tuple of str, optional
        Source keys in the data.

    Returns
    -------
    tuple
        ``(filters, problems)``: the problems are dropped values, in words.
    """
    params: dict[str, str | list[str]] = {}
    for attr, key in _MULTI.items():
        if getattr(args, attr, None):
            params[key] = list(getattr(args, attr))
    for attr, key in _SINGLE.items():
        value = getattr(args, attr, None)
        if value is not None and value != "":
            params[key] = str(value)
    if getattr(args, "include_not_reported", False):
        params["nr"] = "1"
    if getattr(args, "category", None):
        params["cat"] = list(args.category)
    if getattr(args, "count", None):
        params["count"] = str(args.count)
    if getattr(args, "precise_only", False):
        params["precise"] = "1"
    return Filters.from_query_params(params, known_sources=known_sources)


def run_view_command(
    args: argparse.Namespace, act: Callable[[argparse.Namespace, DataBundle, Filters], int]
) -> int:
    """Run a command over a filtered view (``export``, ``animate``): load the data, read the filters, act.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options: ``dir`` (a data directory; ``default`` or ``-`` for the bundled data) and the
        options of :func:`add_filter_arguments`.
    act : callable
        ``act(args, bundle, filters)`` does the command's work and returns its exit status.

    Returns
    -------
    int
        2 after a one-line error when the data directory cannot be read, else what ``act`` returns.
        Filter values that cannot be used are warnings on stderr.
    """
    try:
        bundle = load_bundle(None if args.dir in {"default", "-"} else Path(args.dir))
    except DataDirError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    known = tuple(sorted(bundle.incidents["source"].dropna().astype(str).unique()))
    filters, problems = filters_from_args(args, known)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return act(args, bundle, filters)


def run_export(args: argparse.Namespace) -> int:
    """Run ``python -m geo export`` (:func:`run_view_command`; 2 also after an export problem)."""
    return run_view_command(args, functools.partial(_export, started=time.perf_counter()))


def _export(args: argparse.Namespace, bundle: DataBundle, filters: Filters, started: float) -> int:
    incidents = bundle.incidents
    try:
        edges = tuple(bounded_float("band_km")(x) for x in str(args.bands).split(",")[:100] if x.strip())
    except argparse.ArgumentTypeError:
        print(f"error: --bands must be comma-separated numbers from -5000 to 5000 km, got {str(args.bands)[:80]!r}",
              file=sys.stderr)
        return 2
    frame = incidents.loc[filter_mask(incidents, filters)]
    lang = getattr(args, "lang", "en") or "en"
    context = build_export_context(
        frame, bundle.manifest, bundle.version, filters.describe(lang), filters.to_query_params(), share_url="",
        lang=lang,
    )
    population = load_population()
    try:
        charts = {} if args.data_only else build_standard_charts(
            frame,
            boundaries=bundle.boundaries,
            frontlines=bundle.frontlines,
            population=population,
            edges=edges,
            threshold_km=args.threshold,
            include_imprecise=args.include_imprecise,
            freq=args.freq,
            lang=lang,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    citation = build_citation(
        filters_description=context.filters_description,
        share_url="",
        data_version=context.data_version,
        sources=context.sources,
        lang=lang,
    )

    def _progress(done: int, total: int, name: str) -> None:
        print(f"  [{done}/{total}] {name}", file=sys.stderr)

    print(
        f"Exporting {len(frame):,} incidents ({context.filters_description}) to {args.out}", file=sys.stderr
    )
    try:
        result = write_view_export(
            Path(args.out),
            frame,
            context,
            bundle.manifest,
            charts,
            boundaries=bundle.boundaries,
            frontlines=bundle.frontlines,
            citation_text=citation.text,
            citation_bibtex=citation.bibtex,
            progress=_progress,
            with_map=not (args.no_map or args.data_only),
        )
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        shutdown_export_engine()
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in result["seconds"].items())
    print(
        f"Wrote {len(result['files'])} files in {time.perf_counter() - started:.1f}s ({timings}).",
        file=sys.stderr,
    )
    for path in result["files"]:
        print(path)
    return 0

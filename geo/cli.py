"""Command-line interface: ``python -m geo {ingest,frontlines,boundaries,enrich,build,info,export,animate,fetch}``.

Every command that changes a data directory leaves its derived columns (oblast,
front distance) up to date. Known problems are printed as one clear line on
stderr with exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from geo import __version__
from geo.bounds import bounded_float

BUG_HINT = "This is a bug in conflictmap: please report it with the command you ran (add --debug to see the details)."


def _parse_mapping(pairs: list[str] | None, mapping_file: str | None) -> dict[str, str] | None:
    """Return the ``--mapping-file`` (read by the generic importer's reader) with ``--map`` options on top."""
    from geo.sources.generic import load_mapping

    try:
        mapping: dict[str, str] = load_mapping(Path(mapping_file)) if mapping_file else {}
    except UnicodeDecodeError as exc:
        raise ValueError(f"{Path(mapping_file).name}: the mapping file is not UTF-8 text ({exc.reason}). "
                         "Save it as UTF-8 and run the command again.") from exc
    for pair in pairs or []:
        if "=" not in pair:
            raise ValueError(f"--map expects FIELD=COLUMN (e.g. lat=Latitude), got {pair!r}")
        key, _, value = pair.partition("=")
        mapping[key.strip()] = value.strip()
    return mapping or None


def _progress_bar(desc: str):
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit=" rows", file=sys.stderr, disable=not sys.stderr.isatty(), mininterval=0.5)

    def update(n: int) -> None:
        bar.update(n)

    return bar, update


def _print_summary(summary: dict, out: Path) -> None:
    print(f"rows read:    {summary['rows_read']:,}")
    print(f"imported:     {summary['imported']:,}")
    print(f"quarantined:  {summary['quarantined']:,}")
    for reason, count in sorted(summary["by_reason"].items(), key=lambda kv: -kv[1]):
        print(f"  {reason:<24} {count:,}")
    for message in summary.get("messages", []):
        print(f"note: {message}")
    for warning in summary.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    _print_timings(summary)
    from geo.datadir import QUARANTINE_FILE, table_path

    print(f"{out}: {summary['total']:,} incidents (version {summary.get('version')}); "
          f"quarantined rows in {table_path(out, QUARANTINE_FILE)}")


def _cmd_ingest(args: argparse.Namespace) -> int:
    from geo.build import ingest_into

    mapping = _parse_mapping(args.map, args.mapping_file)
    options = {"mapping": mapping, "study_area_buffer_km": args.buffer_km}
    if args.source_label:
        options["source_label"] = args.source_label
    if args.date_order:
        options["date_order"] = args.date_order
    bar, update = _progress_bar("ingest")
    try:
        summary = ingest_into(Path(args.out), [Path(p) for p in args.inputs], fmt=args.format, progress=update, **options)
    finally:
        bar.close()
    _print_summary(summary, Path(args.out))
    return 0


def _print_timings(summary: dict) -> None:
    """Print the seconds per step of a command to stderr when ``CONFLICTMAP_TIMINGS`` is set (benchmarks)."""
    if os.environ.get("CONFLICTMAP_TIMINGS") and summary.get("timings"):
        cpu = summary.get("cpu_timings") or {}
        steps = ", ".join(f"{step} {seconds:.2f} s" + (f" (CPU {cpu[step]:.2f} s)" if step in cpu else "")
                          for step, seconds in summary["timings"].items())
        print(f"timings: {steps}", file=sys.stderr)


def _cmd_frontlines(args: argparse.Namespace) -> int:
    from geo.build import frontlines_into

    options = {}
    for name in ("occupied_values", "contested_values", "date_property", "status_property", "source", "reuse"):
        value = getattr(args, name)
        if value:
            options[name] = value
    summary = frontlines_into(Path(args.out), [Path(p) for p in args.inputs], fmt=args.format, **options)
    print(
        f"{summary['imported']} snapshots imported; {summary['total']} in {Path(args.out)} "
        f"({summary['first']} … {summary['last']}); front distances updated."
    )
    _print_timings(summary)
    return 0


def _cmd_boundaries(args: argparse.Namespace) -> int:
    from geo.build import boundaries_into

    options = {k: v for k, v in (("name_column", args.name_column), ("code_column", args.code_column)) if v}
    summary = boundaries_into(Path(args.out), Path(args.input), **options)
    print(f"{summary['units']} units loaded from {summary['file']}; oblast assignment updated.")
    return 0


def _cmd_enrich(args: argparse.Namespace) -> int:
    from geo.build import update_enrichment

    frame = update_enrichment(Path(args.dir))
    print(f"{len(frame):,} incidents enriched in {args.dir}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from geo.build import build_folder

    options = {"date_order": args.date_order} if args.date_order else {}
    summary = build_folder(Path(args.folder), Path(args.out), buffer_km=args.buffer_km,
                           log=lambda line: print(line, file=sys.stderr), **options)
    status = _cmd_info(argparse.Namespace(dir=Path(args.out)))
    if summary["skipped"]:
        print(f"{len(summary['skipped'])} file(s) skipped, see above.", file=sys.stderr)
    return status


def _cmd_info(args: argparse.Namespace) -> int:
    from geo.datadir import load_bundle, tables_folder

    bundle = load_bundle(Path(args.dir))
    frame = bundle.incidents
    print(f"data directory: {args.dir} (data version {bundle.version})")
    print(f"current tables: {tables_folder(Path(args.dir))}")
    print(f"incidents: {len(frame):,}")
    if len(frame):
        print(f"date range: {frame['date'].min().date()} … {frame['date'].max().date()}")
    for title, column in (("by source", "source"), ("date precision", "date_precision"), ("geo precision", "geo_precision")):
        print(f"{title}:")
        for key, count in frame[column].fillna("(missing)").value_counts().items():
            print(f"  {key:<24} {count:,}")
    unassigned = int(frame["admin1_iso"].isna().sum())
    print(f"without oblast: {unassigned:,}")
    if bundle.frontlines is not None:
        fl = bundle.frontlines
        print(f"front-line snapshots: {len(fl)} ({fl['snapshot_date'].min().date()} … {fl['snapshot_date'].max().date()})")
        print(f"incidents with front distance: {int(frame['front_distance_km'].notna().sum()):,}")
    else:
        print("front-line snapshots: none")
    print(f"quarantined rows: {len(bundle.quarantine):,}")
    return 0


def _add_date_order(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--dayfirst", dest="date_order", action="store_const", const="dayfirst",
                       help="read numeric dates as day/month/year (03/04/2022 = 3 April); by default each file decides")
    group.add_argument("--monthfirst", dest="date_order", action="store_const", const="monthfirst",
                       help="read numeric dates as month/day/year (03/04/2022 = 4 March)")
    parser.set_defaults(date_order=None)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Return the argument parser of ``python -m geo``.

    Parameters
    ----------
    command : str, optional
        The sub-command about to run; when it is one of the data commands, the options of
        ``export`` and ``animate`` (whose imports take seconds) are not defined.

    Returns
    -------
    argparse.ArgumentParser
        Parser with one sub-command per task.
    """
    from geo.sources.registry import format_keys

    parser = argparse.ArgumentParser(prog="python -m geo", description="Build and inspect conflictmap data directories.")
    parser.add_argument("--version", action="version", version=f"conflictmap {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an unexpected error")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback of an unexpected error")
    writing = argparse.ArgumentParser(add_help=False, parents=[common])
    writing.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS",
        help="if another command is writing the same data directory, wait up to this long (0 to 86400; default 0)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", parents=[writing], help="import incident files into a data directory")
    ingest.add_argument("inputs", nargs="+", metavar="INPUT")
    ingest.add_argument("--out", required=True, metavar="DIR")
    ingest.add_argument("--format", choices=("auto", *format_keys()), default="auto",
                        help="publisher format (default: detected per file)")
    ingest.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="generic format: column mapping, repeatable")
    ingest.add_argument("--mapping-file", help="generic format: JSON object or FIELD=COLUMN lines")
    ingest.add_argument("--source-label", help="source key for generic files (default: file name)")
    ingest.add_argument("--buffer-km", type=bounded_float("buffer_km"), default=50.0,
                        help="study area: Ukraine plus this buffer (0 to 1000 km)")
    _add_date_order(ingest)
    ingest.set_defaults(func=_cmd_ingest, writes="out")

    front = sub.add_parser("frontlines", parents=[writing], help="import front-line snapshots into a data directory")
    front.add_argument("inputs", nargs="+", metavar="INPUT")
    front.add_argument("--out", required=True, metavar="DIR")
    front.add_argument("--format", choices=("auto", "deepstate", "generic"), default="auto")
    front.add_argument("--occupied-values", nargs="*", help="generic: status values that count as occupied")
    front.add_argument("--contested-values", nargs="*", help="generic: status values that count as contested / grey zone")
    front.add_argument("--status-property", help="generic: property holding the status")
    front.add_argument("--date-property", help="generic: property holding the snapshot date")
    front.add_argument("--source", help="source key to record (default: detected)")
    front.add_argument("--reuse", action="store_true",
                       help="derive each contact line only where the occupied area changed since the previous snapshot "
                            "(daily series: several times faster; lines may differ from a whole derivation by millimetres)")
    front.set_defaults(func=_cmd_frontlines, writes="out")

    bounds = sub.add_parser("boundaries", parents=[writing], help="use a better admin-1 boundary layer")
    bounds.add_argument("input", metavar="FILE")
    bounds.add_argument("--out", required=True, metavar="DIR")
    bounds.add_argument("--name-column")
    bounds.add_argument("--code-column")
    bounds.set_defaults(func=_cmd_boundaries, writes="out")

    enrich = sub.add_parser("enrich", parents=[writing], help="recompute oblast and front-distance columns")
    enrich.add_argument("dir", metavar="DIR")
    enrich.set_defaults(func=_cmd_enrich, writes="dir")

    build = sub.add_parser("build", parents=[writing], help="build a data directory from a folder of publisher files in one go")
    build.add_argument("folder", metavar="FOLDER")
    build.add_argument("--out", required=True, metavar="DIR")
    build.add_argument("--buffer-km", type=bounded_float("buffer_km"), default=50.0, help="0 to 1000 km")
    _add_date_order(build)
    build.set_defaults(func=_cmd_build, writes="out")

    info = sub.add_parser("info", parents=[common], help="counts by source, date range, precision breakdown")
    info.add_argument("dir", metavar="DIR")
    info.set_defaults(func=_cmd_info)

    from geo.fetch.cli import add_fetch_arguments

    fetch = sub.add_parser("fetch", parents=[writing],
                           help="fetch new data from DeepStateMap, UCDP or ACLED (uses the network)")
    add_fetch_arguments(fetch)
    fetch.set_defaults(writes="out")  # one writer at a time, as for the other writing commands

    # export and animate pull in the chart, map and video engines (seconds of imports): their
    # options are only defined when one of them (or the top-level help) is asked for.
    heavy = command not in ("ingest", "frontlines", "boundaries", "enrich", "build", "info", "fetch")
    try:
        if not heavy:
            raise ImportError
        from geo.export_cli import add_export_arguments, run_export
    except ImportError:
        pass
    else:
        export = sub.add_parser("export", parents=[common], help="write every chart, the map, the data and the citation")
        add_export_arguments(export)
        export.set_defaults(func=run_export)
    if heavy:
        from geo.animation.cli import add_animate_arguments, run_animate

        animate = sub.add_parser("animate", help="render the filtered incidents over time as an MP4 or GIF")
        add_animate_arguments(animate)
        animate.set_defaults(func=run_animate)
    return parser


def _known_errors() -> tuple[type[BaseException], ...]:
    from geo.datadir import DataDirError
    from geo.dirlock import DataDirBusyError, DataDirNotWritableError
    from geo.schema import UnreadableFileError

    return (UnreadableFileError, DataDirError, DataDirBusyError, DataDirNotWritableError, ValueError)


def _os_error_message(exc: OSError, args: argparse.Namespace) -> str:
    """One line for an operating-system error: which file, what happened, what to do."""
    from geo.dirlock import is_write_error, not_writable_message

    target = getattr(args, "writes", None)
    directory = Path(getattr(args, target)) if target else None
    filename = exc.filename or ""
    inside = False
    if directory is not None:
        try:
            inside = not filename or Path(filename).resolve().is_relative_to(directory.resolve())
        except (OSError, ValueError):
            inside = False
    if directory is not None and (is_write_error(exc) or (inside and not isinstance(exc, FileNotFoundError))):
        return str(not_writable_message(directory, exc))
    reason = exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc, FileNotFoundError):
        return f"{filename or 'a file'}: does not exist (it may have been moved or deleted). Check the path and run the command again."
    if isinstance(exc, PermissionError):
        return f"{filename or 'a file'}: permission denied. Fix its permissions or copy it somewhere readable."
    return f"{filename + ': ' if filename else ''}{reason}. Check the file and run the command again."


def _run(args: argparse.Namespace) -> int:
    target = getattr(args, "writes", None)
    if not target:
        return int(args.func(args) or 0)
    from geo.dirlock import MAX_WAIT_SECONDS, lock_data_dir

    wait = args.wait
    if not (0.0 <= wait <= MAX_WAIT_SECONDS):  # also refuses nan
        raise ValueError(f"--wait must be between 0 and {MAX_WAIT_SECONDS:g} seconds, got {wait:g}")
    directory = Path(getattr(args, target))
    if target == "dir" and not directory.is_dir():
        raise ValueError(f"{directory}: no such data directory. Check the path, or create one with "
                         f"`python -m geo ingest FILES... --out {directory}`.")
    with lock_data_dir(directory, timeout=wait):
        return int(args.func(args) or 0)


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Known problems (unreadable input, broken or busy data directory, read-only
    folder, full disk, missing file, bad option value) print one line on stderr
    and exit with status 2. Anything else is a bug: one line saying so (exit 1),
    or the full traceback with ``--debug``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 on a known, explained error, 1 on an unexpected error.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(command).parse_args(argv)
    try:
        return _run(args)
    except _known_errors() as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {_os_error_message(exc, args)}", file=sys.stderr)
        return 2
    except RecursionError:
        if args.debug:
            raise
        print("error: an input is nested too deeply to read. Check the file or export it again.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback without --debug
        if args.debug:
            raise
        print(f"error: unexpected {type(exc).__name__}: {str(exc)[:300]}. {BUG_HINT}", file=sys.stderr)
        return 1

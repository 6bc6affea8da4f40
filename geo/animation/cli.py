"""``python -m geo animate DIR --out FILE [--from --to --step week --window 7 filters…]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.animation import STEPS, AnimationError, EncoderError, make_animation
from geo.animation.plan import MAX_WINDOW_DAYS
from geo.boundaries import load_neighbour_states
from geo.datadir import DataBundle
from geo.export_cli import add_filter_arguments, run_view_command
from geo.filters import Filters


def add_animate_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``animate`` sub-command's arguments to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-parser.
    """
    parser.add_argument("dir", metavar="DIR", help="data directory ('default' for the bundled data)")
    parser.add_argument("--out", required=True, metavar="FILE", help="film to write: .mp4 (H.264) or .gif")
    parser.add_argument("--step", choices=STEPS, default="week", help="time between frames (default week)")
    parser.add_argument("--window", type=int, default=7, metavar="DAYS",
                        help=f"days of incidents on each frame, 1 to {MAX_WINDOW_DAYS} (default 7)")
    parser.add_argument("--fps", type=float, default=4.0, help="frames per second, 0.5 to 60 (default 4)")
    parser.add_argument("--size", default="1280x720", metavar="WxH", help="frame size (default 1280x720)")
    parser.add_argument("--frames", metavar="FOLDER", help="also write every frame as PNG into FOLDER")
    parser.add_argument("--title", default=None,
                        help="title on every frame (default: 'Civilian harm in Ukraine, against the front line')")
    parser.add_argument("--lang", choices=("en", "uk"), default="en",
                        help="language of every word on the frames: titles, dates, legend, counts, credits")
    add_filter_arguments(parser)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError as exc:
        raise AnimationError(f"--size must look like 1280x720, got {text!r}") from exc
    return width, height


def run_animate(args: argparse.Namespace) -> int:
    """Run ``python -m geo animate`` (:func:`geo.export_cli.run_view_command`; 2 also after an encoder problem)."""
    return run_view_command(args, _animate)


def _animate(args: argparse.Namespace, bundle: DataBundle, filters: Filters) -> int:
    from tqdm import tqdm

    bar = tqdm(total=0, unit="frame", desc="frames", file=sys.stderr, disable=None)

    def _progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    dates = bundle.incidents["date"].dropna()
    data_date = f"{dates.max():%Y-%m-%d}" if len(dates) else ""
    try:
        result = make_animation(
            bundle.incidents, filters, Path(args.out), boundaries=bundle.boundaries,
            frontlines=bundle.frontlines, neighbours=load_neighbour_states(),
            sources=bundle.manifest.get("sources", []), data_date=data_date, step=args.step,
            window_days=args.window, fps=args.fps, size=_size(args.size),
            png_dir=Path(args.frames) if args.frames else None, title=args.title, progress=_progress,
            lang=getattr(args, "lang", "en") or "en",
        )
    except (AnimationError, EncoderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        bar.close()
    print(f"Wrote {result.path} ({result.frames} frames, {len(result.plans)} dates, "
          f"{result.plans[0].date:%Y-%m-%d} … {result.plans[-1].date:%Y-%m-%d}).", file=sys.stderr)
    return 0

"""Animation benchmark (issue 15): the whole period at weekly steps, 1280×720, from a large data directory.

    .venv/bin/python bench/bench_animate.py --size 1000000 [--dir DIR] [--work WORK]

Builds (or reuses) the seeded data directory of ``--size`` incidents with the real pipeline
(:func:`bench.datasets.build_data_dir`, DeepStateMap snapshots read in place) unless ``--dir``
is given, then times ``python -m geo animate DIR --out film.mp4 --step week --window 7`` in a
fresh child process (wall time and peak memory, which shows that frames are streamed to the
encoder, not held). Results are appended to ``bench/results/animate.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.datasets import build_data_dir, run_timed  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "animate.md"
#: Runs the CLI in the child and reports its own CPU time and peak memory (ffmpeg is its child).
_CHILD = (
    "import resource, sys\n"
    "from geo.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime\n"
    "print(f'USAGE cpu_s={cpu:.1f} python_mb={me.ru_maxrss / 1024:.0f} ffmpeg_mb={kids.ru_maxrss / 1024:.0f}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--dir", help="an existing data directory (skips the build)")
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "conflictmap-bench"))
    parser.add_argument("--from", dest="date_from", default="2022-02-24")
    parser.add_argument("--to", dest="date_to", default="2025-08-01")
    parser.add_argument("--results", default=str(RESULTS))
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args(argv)
    directory = Path(args.dir) if args.dir else Path(build_data_dir(args.size, Path(args.work), args.timeout,
                                                                       reuse=True)["dir"])
    out = Path(args.work) / "animate-bench.mp4"
    run = run_timed([sys.executable, "-c", _CHILD, "animate", str(directory), "--out", str(out), "--step", "week",
                     "--window", "7", "--from", args.date_from, "--to", args.date_to], args.timeout)
    if run["returncode"] != 0:
        print(run["stderr_tail"], file=sys.stderr)
        return 1
    usage = dict(part.split("=") for part in run["stderr_tail"].rsplit("USAGE ", 1)[-1].split())
    frames = run["stderr_tail"].split("USAGE ")[0].rsplit("(", 1)[-1].strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=False).stdout.strip()
    line = (f"| {dt.date.today()} | {commit} | {directory.name} | {args.date_from} … {args.date_to} weekly, 1280×720 "
            f"| {run['seconds']:.1f} s | {float(usage['cpu_s']):.1f} s | {usage['python_mb']} MB | {usage['ffmpeg_mb']} MB "
            f"| {frames} | {os.getloadavg()[0]:.1f} |")
    results = Path(args.results)
    if not results.exists():
        results.write_text("# Animation benchmark\n\n`python -m geo animate DIR --out film.mp4 --step week --window 7`"
                           " in a fresh process (target: under 2 minutes at 1,000,000 incidents on 2 cores).\n\n"
                           "Wall time depends on what else the machine runs; CPU time (Python and ffmpeg) does not.\n\n"
                           "| date | commit | data | period | wall | CPU (all processes) | peak RSS Python | peak RSS ffmpeg "
                           "| frames | load (1 min) |\n|---|---|---|---|---|---|---|---|---|---|\n", encoding="utf-8")
    with results.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Start and stop a real `streamlit run app.py` on 127.0.0.1 (shared by browser tests, bench/load_test.py and bench/browser_bench.py)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(data_dir: Path | None, log_path: Path, extra_env: dict | None = None,
                     timeout: float = 90, script: str | Path = "app.py",
                     args: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``script`` (the app) on a free local port with ``CONFLICTMAP_DATA=data_dir``; yield (url, process); stop it.

    ``args`` are more ``streamlit run`` options (bench/browser_bench.py times the start with it).
    """
    port = free_port()
    env = {**os.environ, **(extra_env or {})}
    if data_dir is None:
        env.pop("CONFLICTMAP_DATA", None)
    else:
        env["CONFLICTMAP_DATA"] = str(data_dir)
    log = open(log_path, "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false", *args],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log_path}")
            time.sleep(0.05)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()

"""One writer at a time per data directory: an advisory lock on ``DIR/.lock``.

Every command that changes a data directory holds :func:`lock_data_dir` for the
whole change. A second writer either waits (up to ``timeout`` seconds) or stops
with :class:`DataDirBusyError`, which names the directory and the process id of
the writer holding it. The lock is an ``fcntl.flock`` on an open file, so the
kernel releases it when the holder exits or is killed: a lock can never be left
behind by a crash. Readers (the app) never take it; they rely on the directory
changing atomically as a whole.

The lock is re-entrant within one thread (a command that takes it may call
functions that take it again); other threads and processes wait for it.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import inspect
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from geo.i18n import N_, Message, TranslatedError

try:  # POSIX only; on other systems writes are not serialised (documented in docs/HARDENING.md)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".lock"
#: Longest wait a caller may ask for (one day); longer values are refused.
MAX_WAIT_SECONDS = 86_400.0
_POLL_SECONDS = 0.1

_held: dict[str, list] = {}  # resolved directory -> [owner thread id, depth, file descriptor]
_held_guard = threading.Lock()


class DataDirBusyError(TranslatedError, OSError):
    """Another process (or thread) is writing the data directory right now.

    An ``OSError`` (like ``BlockingIOError``), so callers that report operating-system
    problems show its one-line message.
    """


class DataDirNotWritableError(TranslatedError, OSError):
    """The data directory cannot be created or written (read-only, permission denied, disk full)."""


def _holder_pid(lock_path: Path) -> str:
    try:
        text = lock_path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return "unknown"
    return text if text.isdigit() else "unknown"


_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}


def _error_code(exc: OSError) -> int | None:
    """Return the errno of ``exc`` (pyarrow's C++ errors carry it only in their text)."""
    if getattr(exc, "errno", None):
        return exc.errno
    text = str(exc).lower()
    for code, words in ((errno.ENOSPC, "no space left"), (errno.EDQUOT, "disk quota"),
                        (errno.EROFS, "read-only file system"), (errno.EACCES, "permission denied"),
                        (errno.EFBIG, "file too large")):
        if words in text:
            return code
    return None


def is_write_error(exc: OSError) -> bool:
    """Say whether an OS error can only come from writing (disk full, quota, read-only file system).

    Parameters
    ----------
    exc : OSError
        The error raised by a write.

    Returns
    -------
    bool
        True for ENOSPC, EDQUOT, EROFS and EFBIG (also when only the message names them).
    """
    return _error_code(exc) in _WRITE_ERRNOS


def not_writable_message(directory: Path, exc: OSError) -> Message:
    """Return the one-line explanation for an OS error while writing ``directory``.

    Parameters
    ----------
    directory : Path
        The data directory being written.
    exc : OSError
        The error raised by the operating system.

    Returns
    -------
    geo.i18n.Message
        What went wrong, and what to do; the directory is named (``str()`` gives the English).
    """
    code = _error_code(exc)
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return Message(N_("cannot write {directory}: the disk is full (or over quota). Nothing was changed; "
                          "free some space and run the command again."), directory=str(directory))
    if code == errno.EROFS:
        return Message(N_("cannot write {directory}: it is on a read-only file system. Nothing was changed; "
                          "choose another --out directory."), directory=str(directory))
    if code in (errno.EACCES, errno.EPERM):
        return Message(N_("cannot write {directory}: permission denied. Nothing was changed; "
                          "fix the folder's permissions or choose another --out directory."), directory=str(directory))
    reason = exc.strerror or type(exc).__name__
    return Message(N_("cannot write {directory}: {reason}. Nothing was changed; check the folder and run the command "
                      "again."), directory=str(directory), reason=str(reason))


@contextlib.contextmanager
def lock_data_dir(directory: Path | str, timeout: float = 0.0) -> Iterator[Path]:
    """Hold the write lock of a data directory (created if missing) for the ``with`` block.

    Parameters
    ----------
    directory : Path or str
        The data directory.
    timeout : float
        Seconds to wait for another writer to finish (0 = do not wait), at most
        :data:`MAX_WAIT_SECONDS`.

    Yields
    ------
    Path
        The directory.

    Raises
    ------
    DataDirBusyError
        Another writer still holds the lock after ``timeout`` seconds.
    DataDirNotWritableError
        The directory or its lock file cannot be created (read-only, permission denied, disk full).
    ValueError
        ``timeout`` is negative, not a number or larger than :data:`MAX_WAIT_SECONDS`.
    """
    if not (0.0 <= float(timeout) <= MAX_WAIT_SECONDS):
        raise ValueError(f"the lock wait must be between 0 and {MAX_WAIT_SECONDS:g} seconds, got {timeout!r}")
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise DataDirNotWritableError(
            N_("cannot write {directory}: it is a file, not a folder. Nothing was changed; choose another --out "
               "directory."), directory=str(directory)
        )
    created = not directory.exists()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        key = str(directory.resolve())
    except OSError as exc:
        raise DataDirNotWritableError(not_writable_message(directory, exc)) from exc
    me = threading.get_ident()
    with _held_guard:
        entry = _held.get(key)
        if entry is not None and entry[0] == me:
            entry[1] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield directory
        finally:
            with _held_guard:
                _held[key][1] -= 1
        return
    lock_path = directory / LOCK_FILE
    fd = _acquire(directory, lock_path, float(timeout))
    try:
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:
            pass  # the pid is informational only
        with _held_guard:
            _held[key] = [me, 1, fd]
        try:
            yield directory
        finally:
            with _held_guard:
                _held.pop(key, None)
            if created:
                _remove_if_unused(directory, lock_path)
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(directory: Path, lock_path: Path, timeout: float) -> int:
    """Open and flock ``lock_path``; return the descriptor (see :func:`lock_data_dir`)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise DataDirNotWritableError(not_writable_message(directory, exc)) from exc
        if fcntl is None:  # pragma: no cover - Windows
            return fd
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        values = {"directory": str(directory), "pid": _holder_pid(lock_path), "seconds": timeout}
                        raise DataDirBusyError(
                            N_("busy: another conflictmap command is writing {directory} (pid {pid}) (waited "
                               "{seconds} s). Wait for it to finish and run the command again, or pass --wait "
                               "SECONDS.") if timeout else
                            N_("busy: another conflictmap command is writing {directory} (pid {pid}). Wait for it "
                               "to finish and run the command again, or pass --wait SECONDS."), **values
                        ) from None
                    time.sleep(_POLL_SECONDS)
            # The holder we waited for may have removed the directory it had created and could not
            # fill (see _remove_if_unused): then this lock is on a deleted file; take the new one.
            try:
                current = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
        except BaseException:
            os.close(fd)
            raise
        if current:
            return fd
        os.close(fd)


def _remove_if_unused(directory: Path, lock_path: Path) -> None:
    """Remove a directory this writer created when the command left nothing in it but the lock."""
    try:
        names = set(os.listdir(directory))
        versions = directory / "versions"
        if "versions" in names and versions.is_dir() and not any(versions.iterdir()):
            names.discard("versions")
        if names - {LOCK_FILE}:
            return
        lock_path.unlink(missing_ok=True)
        if versions.is_dir():
            versions.rmdir()
        directory.rmdir()
    except OSError:
        pass  # best effort: an empty folder left behind is harmless


def locked_writer(parameter: str = "directory"):
    """Decorate a function that writes a data directory so that it holds :func:`lock_data_dir` while it runs.

    The lock is re-entrant, so a command that already holds it (``python -m geo ...``) calls the
    function without waiting; any other caller (a library user, the app) is refused with
    :class:`DataDirBusyError` while another writer works.

    Parameters
    ----------
    parameter : str
        Name of the function's argument that holds the data directory.

    Returns
    -------
    callable
        The decorator.
    """

    def decorate(func):
        signature = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            directory = signature.bind(*args, **kwargs).arguments[parameter]
            with lock_data_dir(Path(directory)):
                return func(*args, **kwargs)

        return wrapper

    return decorate


def holds_lock(directory: Path | str) -> bool:
    """Say whether the calling thread holds the write lock of ``directory``.

    Parameters
    ----------
    directory : Path or str
        The data directory this thread may have locked.

    Returns
    -------
    bool
        True inside ``lock_data_dir(directory)`` in this thread.
    """
    try:
        key = str(Path(directory).resolve())
    except OSError:
        return False
    with _held_guard:
        entry = _held.get(key)
        return entry is not None and entry[0] == threading.get_ident()


def is_locked(directory: Path | str) -> bool:
    """Say whether some writer holds the lock of ``directory`` right now.

    Parameters
    ----------
    directory : Path or str
        The data directory to look at.

    Returns
    -------
    bool
        True while another process or thread (or this thread) holds the lock.
    """
    directory = Path(directory)
    lock_path = directory / LOCK_FILE
    if not lock_path.exists():
        return False
    with _held_guard:
        if str(directory.resolve()) in _held:
            return True
    if fcntl is None:  # pragma: no cover
        return False
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)

"""The user's private cache folder (`~/.cache/nbwidgets`, or `$NBWIDGETS_CACHE_DIR`): where the outbox and
the evaluation memory keep their files, made private (folder 0700, files 0600) whatever the umask, and a
looser existing one tightened (said once in the log); a damaged file moved aside; and what a file that
cannot be used becomes (`OutboxUnavailableError`, saying where and what to do).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
import uuid
from pathlib import Path

from .errors import NbwidgetsError

log = logging.getLogger("nbwidgets.client")

_warned: set[str] = set()  # paths already reported in the log (once per process)


class OutboxUnavailableError(NbwidgetsError):
    """The outbox file cannot be opened or written: writes cannot be kept, so none is accepted (reads work)."""


REMEDY = (
    "Set the environment variable NBWIDGETS_CACHE_DIR to a folder you can write to (for example "
    "os.environ['NBWIDGETS_CACHE_DIR'] = '/tmp/nbwidgets') and make the client again. Reading still works; "
    "nothing was saved."
)


def unavailable(path: Path | None, reason: BaseException | str) -> OutboxUnavailableError:
    """The error every outbox failure becomes: what failed, where, and what to do."""
    if isinstance(reason, OSError):
        why = f"{reason.strerror or type(reason).__name__}" + (f" ({reason.filename})" if reason.filename else "")
    else:
        why = str(reason)
    return OutboxUnavailableError(
        f"The outbox, where nbwidgets keeps each write until the service has it, cannot be used at {path}: "
        f"{why}. {REMEDY}"
    )


def default_path() -> Path:
    base = os.environ.get("NBWIDGETS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nbwidgets"
    )
    return Path(base) / "outbox.sqlite3"


def damaged(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def move_aside(path: Path, error: sqlite3.Error) -> Path:
    """Move a damaged outbox (and its companions) aside, keeping it for inspection; returns where it went."""
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:4]}")
    try:
        os.replace(path, aside)
        for suffix in ("-wal", "-shm"):
            companion = Path(f"{path}{suffix}")
            if companion.exists():
                os.replace(companion, Path(f"{aside}{suffix}"))
    except OSError as failed:
        raise unavailable(
            path, f"it is damaged ({error}) and could not be moved aside ({failed.strerror}); move it away by hand"
        ) from None
    return aside


def private_folder(folder: Path) -> None:
    existed = folder.exists()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(folder, 0o700, existed)


def private_file(path: Path) -> None:
    existed = path.exists()
    if not existed:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    _tighten(path, 0o600, existed)


def _tighten(path: Path, mode: int, existed: bool) -> None:
    current = stat.S_IMODE(path.stat().st_mode)
    if current == mode:
        return
    os.chmod(path, mode)
    if existed and current & 0o077 and str(path) not in _warned:
        _warned.add(str(path))
        log.warning("nbwidgets: %s was readable by other users (mode %o); made it private (%o)", path, current, mode)

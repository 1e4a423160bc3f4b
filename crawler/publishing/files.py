"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Mode of a new document (mkstemp's temporary files are 0600); an existing file keeps its mode.
NEW_FILE_MODE = 0o644


def _fsync_directory(directory: Path) -> None:
    """Persist a rename in ``directory``; best effort, as not every platform can open a directory."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _synced_temporary(path: Path, data: bytes, mode: int) -> Iterator[str]:
    """A complete, fsynced temporary file holding ``data`` beside ``path``; removed on exit if still there.

    A dot-name in the same directory: the rename stays on one file system and globs skip it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        yield temporary
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file and a rename; create parent directories.

    Returns False, touching nothing (the mtime stays), when the file already holds
    exactly ``data``; True after a write. On any error the old file is intact and
    the temporary file is removed.
    """
    path = Path(path)
    try:
        if path.read_bytes() == data:
            return False
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    with _synced_temporary(path, data, mode) as temporary:
        os.replace(temporary, path)
    _fsync_directory(path.parent)
    return True


def write_once(path: Path, data: bytes, mode: int = 0o600) -> bool:
    """Create ``path`` holding ``data`` unless it exists; True when this call created it.

    The complete file is hard-linked into place, and ``link`` fails when the name
    exists: of racing processes exactly one wins, and no reader sees a partial file.
    """
    path = Path(path)
    with _synced_temporary(path, data, mode) as temporary:
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
    _fsync_directory(path.parent)
    return True

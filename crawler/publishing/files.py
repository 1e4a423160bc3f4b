"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
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


TEMPORARY_SUFFIX = ".tmp"
ABANDONED_AFTER = 1.0  # seconds: an unlocked temporary file this old has no writer (see below)


@contextlib.contextmanager
def _synced_temporary(path: Path, data: bytes, mode: int, *, sync: bool = True) -> Iterator[tuple[str, int]]:
    """A complete temporary file holding ``data`` beside ``path``, and its descriptor; removed on exit if
    still there. Fsynced, unless ``sync`` is False (the caller fsyncs it: :func:`sync_staged`).

    A dot-name in the same directory: the rename stays on one file system and globs skip it.
    The writer holds an ``flock`` on it until it is renamed or removed; the kernel
    drops the lock when the process dies, which is how
    :func:`remove_abandoned_temporaries` tells a killed writer's file from a live one's.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _write_all(fd, data)
        if sync:
            os.fsync(fd)
        os.fchmod(fd, mode)
        yield temporary, fd
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _filesystem_now(directory: Path) -> float:
    """The current time as the file system stamps it (a fresh file's mtime): mtimes compare with it.

    The process's clock may differ from the file system's (a network file system, a faked clock).
    """
    fd, probe = tempfile.mkstemp(prefix=".clock.", suffix=".probe", dir=directory)
    try:
        return os.fstat(fd).st_mtime
    finally:
        os.close(fd)
        os.unlink(probe)


def remove_abandoned_temporaries(directory: Path) -> int:
    """Remove the temporary files that killed writers left under ``directory``; how many were removed.

    A temporary file whose lock can be taken has no live writer (a writer locks
    it right after creating it; :data:`ABANDONED_AFTER` covers that instant), so
    concurrent crawls never remove each other's files.
    """
    removed = 0
    now = None
    for candidate in Path(directory).rglob(f".*{TEMPORARY_SUFFIX}"):
        now = now if now is not None else _filesystem_now(Path(directory))
        try:
            fd = os.open(candidate, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if now - os.fstat(fd).st_mtime >= ABANDONED_AFTER:
                os.unlink(candidate)
                removed += 1
        except OSError:  # locked by a live writer, or already gone
            pass
        finally:
            os.close(fd)
    return removed


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file and a rename; create parent directories.

    Returns False, touching nothing (the mtime stays), when the file already holds
    exactly ``data``; True after a write. On any error the old file is intact and
    the temporary file is removed.
    """
    with staged_write(path, data) as staged:
        return staged.commit()


class StagedWrite:
    """A document's new bytes, complete beside it, waiting for :meth:`commit` to rename them in."""

    def __init__(self, path: Path, temporary: str | None, fd: int | None = None):
        self.path = path
        self.temporary = temporary  # None: the file already holds the bytes
        self._unsynced_fd = fd  # the temporary file's descriptor while it still needs an fsync

    @property
    def changes(self) -> bool:
        return self.temporary is not None

    def sync(self) -> None:
        """Make the staged bytes durable (once; nothing to do when they were fsynced when staged)."""
        if self._unsynced_fd is not None:
            os.fsync(self._unsynced_fd)
            self._unsynced_fd = None

    def commit(self, *, sync_directory: bool = True) -> bool:
        """Put the new bytes in place; True when the file changed (False: it already held them).

        ``sync_directory`` False leaves the rename's fsync to the caller (:func:`sync_directories`).
        """
        if self.temporary is None:
            return False
        self.sync()
        os.replace(self.temporary, self.path)
        self.temporary = None
        if sync_directory:
            _fsync_directory(self.path.parent)
        return True


@contextlib.contextmanager
def staged_write(path: Path, data: bytes, *, sync: bool = True) -> Iterator[StagedWrite]:
    """:func:`write_atomic` in two steps, so that something else (a store write) can happen in between.

    The new bytes are written to a temporary file first; the file at ``path``
    changes only when the caller calls ``commit()``. Leaving the block without
    committing (an exception) leaves the old file as it was and removes the
    temporary file. ``sync`` False defers the temporary file's fsync to
    :meth:`StagedWrite.sync` (or :func:`sync_staged`, for many at once), which ``commit`` runs
    at the latest.
    """
    path = Path(path)
    try:
        if path.read_bytes() == data:
            yield StagedWrite(path, None)
            return
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    with _synced_temporary(path, data, mode, sync=sync) as (temporary, fd):
        yield StagedWrite(path, temporary, None if sync else fd)


# fsync waits for the disk, not the CPU: a batch's files are synced side by side, so the file
# system commits them together (one journal commit for many files) instead of one after another.
_SYNC_THREADS = 8
_syncer: ThreadPoolExecutor | None = None


def sync_staged(staged: Iterable[StagedWrite]) -> None:
    """Fsync many staged writes' bytes at once (threads: the waits overlap); raises the first OSError."""
    pending = [write for write in staged if write._unsynced_fd is not None]
    if len(pending) < 2:
        for write in pending:
            write.sync()
        return
    global _syncer
    if _syncer is None:
        _syncer = ThreadPoolExecutor(max_workers=_SYNC_THREADS, thread_name_prefix="fsync")
    for future in [_syncer.submit(write.sync) for write in pending]:
        future.result()


def sync_directories(paths: Iterable[Path]) -> None:
    """Persist the renames of files at ``paths``: one fsync per directory they are in."""
    for directory in dict.fromkeys(Path(path).parent for path in paths):
        _fsync_directory(directory)


def write_once(path: Path, data: bytes, mode: int = 0o600) -> bool:
    """Create ``path`` holding ``data`` unless it exists; True when this call created it.

    The complete file is hard-linked into place, and ``link`` fails when the name
    exists: of racing processes exactly one wins, and no reader sees a partial file.
    """
    path = Path(path)
    with _synced_temporary(path, data, mode) as (temporary, _):
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
    _fsync_directory(path.parent)
    return True

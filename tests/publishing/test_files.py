"""Atomic writes: skip unchanged content, never leave a partial or temporary file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from crawler.publishing import files
from crawler.publishing.files import write_atomic, write_once

OLD_TIME_NS = 1_600_000_000_000_000_000


def test_creates_parents_and_writes(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "doc.md"
    assert write_atomic(path, b"hello") is True
    assert path.read_bytes() == b"hello"
    assert stat.S_IMODE(path.stat().st_mode) == files.NEW_FILE_MODE
    assert os.listdir(path.parent) == ["doc.md"]


def test_unchanged_content_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    write_atomic(path, b"same")
    os.utime(path, ns=(OLD_TIME_NS, OLD_TIME_NS))
    inode = path.stat().st_ino
    assert write_atomic(path, b"same") is False
    assert path.stat().st_mtime_ns == OLD_TIME_NS
    assert path.stat().st_ino == inode


def test_changed_content_is_replaced_keeping_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    write_atomic(path, b"old")
    path.chmod(0o640)
    assert write_atomic(path, b"new") is True
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_empty_content(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    assert write_atomic(path, b"") is True
    assert write_atomic(path, b"") is False
    assert path.read_bytes() == b""


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failure_mid_write_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = tmp_path / "doc.md"
    write_atomic(path, b"old content")

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files.os, failing, broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, b"new content that never lands")
    monkeypatch.undo()
    assert path.read_bytes() == b"old content"
    assert os.listdir(tmp_path) == ["doc.md"]


def test_interrupt_mid_write_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "doc.md"

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, b"data")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_write_once_creates_only_once(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "seal.key"
    assert write_once(path, b"first") is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert write_once(path, b"second") is False
    assert path.read_bytes() == b"first"
    assert os.listdir(path.parent) == ["seal.key"]

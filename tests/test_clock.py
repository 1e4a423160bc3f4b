"""The crawler's time: one wall-clock reader, a frozen "now" for tests, and one rule for local times."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from crawler import clock

PACKAGE = Path(__file__).resolve().parent.parent / "crawler"


def test_a_time_without_offset_is_read_in_the_providers_zone():
    local = clock.in_zone(datetime(2026, 4, 30, 9, 0), "Asia/Shanghai")
    assert local.astimezone(UTC) == datetime(2026, 4, 30, 1, 0, tzinfo=UTC)
    aware = datetime(2026, 4, 30, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert clock.in_zone(aware, "Asia/Shanghai") is aware


def test_the_reference_time_is_frozen_by_the_setting():
    assert clock.now({"CRAWL_REFERENCE_TIME": "2026-11-24T12:00:00Z"}) == datetime(2026, 11, 24, 12, tzinfo=UTC)
    started = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    assert clock.reference_time({}, started) == started


def test_nothing_but_the_clock_module_reads_the_wall_clock():
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "clock.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("now", "today", "utcnow"):
                owner = node.value
                if isinstance(owner, ast.Name) and owner.id in ("datetime", "date"):
                    readers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert readers == []

"""Hints: plain data that merges source by source, a picture always whole."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

from crawler.extraction.context import HintImage, Hints


def test_a_merged_image_is_one_sources_picture_never_a_mix():
    feed = Hints(image=HintImage("https://cdn.example.com/a.jpg"), source="feed")  # no size given
    api = Hints(image=HintImage("https://cdn.example.com/b.jpg", 1200, 675), source="api")
    assert feed.merge(api).image == HintImage("https://cdn.example.com/a.jpg")  # A with A's (unknown) size
    assert api.merge(feed).image == HintImage("https://cdn.example.com/b.jpg", 1200, 675)
    assert Hints().merge(api).image == api.image


def test_hints_survive_pickling_as_a_request_s_cb_kwargs_do_in_a_jobdir():
    hints = Hints(
        title="A title",
        published_at=datetime(2026, 11, 20, 8, tzinfo=UTC),
        image=HintImage("https://cdn.example.com/a.jpg", 640, 360),
        categories=["AI"],
        source="feed",
    )
    assert pickle.loads(pickle.dumps(hints)) == hints

from __future__ import annotations

from crawler.extraction.topics import Vocabulary, load_vocabulary, topics

from .helpers import page

VOCAB = Vocabulary({"AI": ["artificial intelligence", "llm"], "IPO": ["go public"], "Chips": ["chip", "tsmc"]})


def test_aliases_are_whole_words_and_case_insensitive() -> None:
    assert VOCAB.find("Artificial Intelligence firms plan to GO PUBLIC") == ["AI", "IPO"]
    assert VOCAB.find("microchips and chipmakers") == []  # no partial words


def test_tags_come_before_title_and_excerpt() -> None:
    head = '<meta property="article:tag" content="TSMC"><meta name="keywords" content="LLM, other">'
    found = topics(page(head), "Startup plans to go public", "An AI story", [], VOCAB)
    assert found == ["Chips", "AI", "IPO"]


def test_sections_and_json_ld_keywords() -> None:
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","keywords":"chip, markets"}</script>'
    assert topics(page(ld), "Title", "", ["Artificial Intelligence"], VOCAB) == ["Chips", "AI"]


def test_at_most_five_and_deduplicated() -> None:
    vocab = Vocabulary({c: [] for c in "ABCDEFG"})
    assert topics(page(""), "A B C D E F G A", "", [], vocab) == ["A", "B", "C", "D", "E"]


def test_project_vocabulary_loads() -> None:
    vocabulary = load_vocabulary()
    assert vocabulary.find("Machine learning at ChatGPT maker") == ["AI"]

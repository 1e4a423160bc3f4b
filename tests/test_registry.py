"""The provider registry: loads, validates, and names the bad entry when it cannot."""

from __future__ import annotations

import pytest

from crawler.registry import DEFAULT_REGISTRY, RegistryError, load_registry

GOOD_ENTRY = """
providers:
  example:
    name: Example News
    domain: example.com
    timezone: Europe/Berlin
    sources: [{kind: feed, url: "https://example.com/feed/"}]
    article_urls: ['^/news/[^/]+$']
"""


def write(tmp_path, text):
    path = tmp_path / "providers.yaml"
    path.write_text(text)
    return path


def test_default_registry_loads_with_technode():
    technode = load_registry(DEFAULT_REGISTRY).get("technode")
    assert technode.name == "TechNode"
    assert technode.domain == "technode.com"
    assert technode.timezone == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/2021/08/30/chinas-ai-unicorn-sensetime-files-for-hong-kong-ipo/", True),
        ("/2021/08/30/slug", True),
        ("/category/ai/", False),
        ("/feed/", False),
        ("/2021/08/30/", False),
        ("/events/techcrunch-shanghai-2026/", False),
    ],
)
def test_technode_article_urls(path, expected):
    assert load_registry().get("technode").is_article_path(path) is expected


def test_site_rules_carry_what_the_extractor_needs():
    rules = load_registry().get("technode").site_rules()
    assert rules.timezone == "Asia/Shanghai"
    assert " - TechNode" in rules.title_suffixes
    assert ("opinion", "opinion") in rules.sections


def test_good_entry(tmp_path):
    registry = load_registry(write(tmp_path, GOOD_ENTRY))
    assert [p.key for p in registry] == ["example"]
    assert registry.for_domain("example.com").name == "Example News"
    assert registry.for_domain("other.com") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("Europe/Berlin", "Europe/Berlinn"), "timezone: Value error, 'Europe/Berlinn' is not a known IANA time zone"),
        (("'^/news/[^/]+$'", "'^/news/(['"), "is not a valid regex"),
        (('url: "https://example.com/feed/"', 'url: "feed/"'), "is not an absolute http(s) URL"),
        (("kind: feed", "kind: rss"), "sources.0.kind"),
        (("kind: feed", "kind: article"), "kind must be one of feed, sitemap, listing, wp-api, api"),
        (("domain: example.com", "domain: Example.COM"), "is not a lower-case domain name"),
        (("    name: Example News\n", ""), "name: Field required"),
        (("timezone:", "time_zone:"), "time_zone: Extra inputs are not permitted"),
    ],
)
def test_bad_entry_names_entry_and_problem(tmp_path, change, message):
    path = write(tmp_path, GOOD_ENTRY.replace(*change))
    with pytest.raises(RegistryError) as error:
        load_registry(path)
    assert "entry 'example'" in str(error.value)
    assert message in str(error.value)


def test_bad_section_category(tmp_path):
    path = write(tmp_path, GOOD_ENTRY + "    sections: {opinion: opinions}\n")
    with pytest.raises(RegistryError, match=r"entry 'example'.*'opinions', not one of news"):
        load_registry(path)


def test_not_a_registry(tmp_path):
    with pytest.raises(RegistryError, match="expected a mapping 'providers:'"):
        load_registry(write(tmp_path, "- just\n- a list\n"))
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry(tmp_path / "missing.yaml")


def test_every_seed_provider_is_registered():
    keys = [p.key for p in load_registry()]
    assert keys == ["technode", "techinasia", "techstory", "businessinsider"]


def test_api_source_needs_a_valid_mapping(tmp_path):
    api = GOOD_ENTRY.replace(
        '[{kind: feed, url: "https://example.com/feed/"}]',
        '[{kind: api, url: "https://example.com/api/posts", mapping: {items: posts, url: "link["}}]',
    )
    with pytest.raises(RegistryError, match=r"entry 'example'.*mapping url: 'link\[' is not a JMESPath expression"):
        load_registry(write(tmp_path, api))
    no_url = api.replace(', url: "link["', "")
    with pytest.raises(RegistryError, match="an api source needs a mapping for url"):
        load_registry(write(tmp_path, no_url))
    feed_with_mapping = GOOD_ENTRY.replace(
        'url: "https://example.com/feed/"', 'url: "https://example.com/feed/", mapping: {items: x}'
    )
    with pytest.raises(RegistryError, match="a feed source takes no mapping"):
        load_registry(write(tmp_path, feed_with_mapping))


def test_the_registry_is_read_once_until_its_file_changes(tmp_path):
    path = write(tmp_path, GOOD_ENTRY)
    first = load_registry(path)
    assert load_registry(str(path)) is first  # every caller of a process shares one reading
    path.write_text(GOOD_ENTRY.replace("Example News", "Example Daily"), encoding="utf-8")
    assert load_registry(path).get("example").name == "Example Daily"

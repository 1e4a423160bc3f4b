"""Listing pages: links of the main content area(s) and the pages that follow."""

from __future__ import annotations

from crawler.discovery import parse_listing

HOME = """<!doctype html><html><head>
<link rel="next" href="https://technode.com/page/2/">
</head><body class="home blog">
<header id="masthead"><nav><a href="/category/news/">News</a><a href="/about/">About</a></nav></header>
<div id="content"><div id="primary" class="content-area"><main id="main" class="site-main">
  <article><a class="post-thumbnail" href="/2026/04/30/apollo/"><img src="x.jpg"></a>
    <h2 class="entry-title"><a href="https://technode.com/2026/04/30/apollo/#respond">Apollo</a></h2>
    <a href="/category/news/" rel="category tag">News</a></article>
  <article><h2><a href=" /2026/03/20/unitree/?utm_source=home ">Unitree</a></h2>
    <a href="#comments">comments</a><a href="javascript:void(0)">share</a><a href="mailto:x@y.z">mail</a></article>
  <nav class="navigation pagination"><div class="nav-links">
    <span aria-current="page" class="page-numbers current">1</span>
    <a class="page-numbers" href="https://technode.com/page/2/">2</a>
    <a class="page-numbers" href="https://technode.com/page/3/">3</a>
    <span class="page-numbers dots">&hellip;</span>
    <a class="page-numbers" href="https://technode.com/page/10/">10</a>
    <a class="next page-numbers" href="https://technode.com/page/2/">Next</a>
  </div></nav>
</main></div>
<aside id="secondary"><a href="/2021/08/30/popular/">Popular</a><a href="/category/ai/page/2/">AI page 2</a></aside>
</div>
<footer><a href="/privacy/">Privacy</a></footer>
</body></html>"""


def test_links_come_from_the_main_content_only_in_document_order() -> None:
    listing = parse_listing(HOME, "https://technode.com/")
    assert listing.links == [
        "https://technode.com/2026/04/30/apollo/",  # thumbnail and title link: once, fragment removed
        "https://technode.com/category/news/",  # not filtered here: the spider applies the URL rules
        "https://technode.com/2026/03/20/unitree/?utm_source=home",
        "https://technode.com/page/2/",
        "https://technode.com/page/3/",
        "https://technode.com/page/10/",
    ]
    # Header navigation, the sidebar and the footer are not content.
    assert "https://technode.com/2021/08/30/popular/" not in listing.links
    assert "https://technode.com/about/" not in listing.links


def test_next_pages_rel_next_first_then_higher_page_numbers() -> None:
    listing = parse_listing(HOME.encode(), "https://technode.com/")
    # The sidebar's /category/ai/page/2/ belongs to another listing and is left out.
    assert listing.next_pages == [
        "https://technode.com/page/2/",
        "https://technode.com/page/3/",
        "https://technode.com/page/10/",
    ]


def test_middle_page_does_not_go_back() -> None:
    page = """<html><head><link rel="prev" href="/category/ai/"><link rel="next" href="/category/ai/page/3/"></head>
    <body><main>
      <div class="nav-links"><a class="prev page-numbers" href="/category/ai/">Previous</a>
      <a class="page-numbers" href="/category/ai/">1</a><span class="current">2</span>
      <a class="page-numbers" href="/category/ai/page/3/">3</a><a class="page-numbers" href="/category/ai/page/4/">4</a>
      <a class="next page-numbers" href="/category/ai/page/3/">Next</a></div>
    </main></body></html>"""
    listing = parse_listing(page, "https://technode.com/category/ai/page/2/")
    assert listing.next_pages == [
        "https://technode.com/category/ai/page/3/",
        "https://technode.com/category/ai/page/4/",
    ]


def test_wordpress_older_posts_navigation_and_paged_query() -> None:
    page = """<html><body><div id="content">
      <a href="/2024/01/01/a/">A</a>
      <nav class="navigation posts-navigation"><div class="nav-links">
        <div class="nav-previous"><a href="https://blog.example.com/?paged=3">Older posts</a></div>
        <div class="nav-next"><a href="https://blog.example.com/">Newer posts</a></div>
      </div></nav></div></body></html>"""
    listing = parse_listing(page, "https://blog.example.com/?paged=2")
    assert listing.links[0] == "https://blog.example.com/2024/01/01/a/"
    # "Newer posts" (.nav-next here means newer) goes back to page 1 and is dropped.
    assert listing.next_pages == ["https://blog.example.com/?paged=3"]


def test_no_main_area_uses_the_body_without_its_chrome_and_honours_base_href() -> None:
    page = b"""<html><head><base href="https://cdn.example.com/site/"></head><body>
      <header><a href="/home">Home</a></header>
      <div class="posts"><a href="story-1.html">One</a><a href="story-1.html#top">One again</a></div>
      <div role="navigation"><a href="/menu">Menu</a></div>
      <aside><a href="/ad">Ad</a></aside>
      <footer><a href="/legal">Legal</a></footer>
    </body></html>"""
    listing = parse_listing(page, "https://example.com/")
    assert listing.links == ["https://cdn.example.com/site/story-1.html"]
    assert listing.next_pages == []


def test_non_utf8_listing_bytes_are_decoded_by_their_meta_charset() -> None:
    page = (
        '<html><head><meta charset="windows-1252"></head><body><main><a href="/caf\xe9/">Café</a></main></body></html>'
    )
    listing = parse_listing(page.encode("cp1252"), "https://e.com/")
    assert listing.links == ["https://e.com/café/"]


def test_empty_and_unparseable_pages_give_an_empty_listing() -> None:
    assert parse_listing(b"", "https://e.com/").links == []
    assert parse_listing("   ", "https://e.com/").next_pages == []
    xhtml = '<?xml version="1.0" encoding="utf-8"?><html><body><main><a href="/x">x</a></main></body></html>'
    assert parse_listing(xhtml, "https://e.com/").links == ["https://e.com/x"]

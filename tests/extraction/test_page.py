from __future__ import annotations

import codecs

import pytest
from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction.page import NotHtmlError, decode_html, parse_page


def test_windows_1252_bytes_with_meta_charset() -> None:
    data = (
        '<html><head><meta charset="windows-1252"><title>Caf\u00e9 \u201cquotes\u201d \u2013 ok</title></head></html>'
    )
    page = parse_page(data.encode("cp1252"), "https://x.com/")
    assert page.title_tag == "Caf\u00e9 \u201cquotes\u201d \u2013 ok"


def test_latin1_label_means_windows_1252() -> None:
    data = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>\u201cHi\u201d</p>'
    assert "\u201cHi\u201d" in decode_html(data.encode("cp1252"))


def test_gbk_bytes_with_meta_charset() -> None:
    data = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>新华网新闻</title>'
    page = parse_page(data.encode("gbk"), "https://x.cn/")
    assert page.title_tag == "新华网新闻"


def test_http_encoding_argument_wins_over_guessing() -> None:
    data = "<title>Işık</title>".encode("iso-8859-9")
    assert parse_page(data, "https://x.tr/", encoding="ISO-8859-9").title_tag == "Işık"


def test_shift_jis_and_euc_kr() -> None:
    assert "日本語" in decode_html('<meta charset="shift_jis"><p>日本語</p>'.encode("shift_jis"))
    assert "한국어" in decode_html('<meta charset="euc-kr"><p>한국어</p>'.encode("euc-kr"))


def test_bom_wins() -> None:
    assert decode_html(b"\xef\xbb\xbf<p>\xc3\xa9</p>") == "<p>é</p>"


def test_utf8_page_mislabelled_latin1_is_read_as_utf8() -> None:
    data = '<meta charset="iso-8859-1"><title>Café</title>'.encode()
    assert "Café" in decode_html(data)


# Headlines in UTF-8 under a legacy declaration: the template's old <meta charset> (or XML declaration)
# was kept when the site moved to UTF-8. Read with the declared codec they come out as mojibake.
MISLABELLED_UTF8 = [
    ('<meta charset="gb2312">', "习近平会见法国总统：中法关系“稳中有进”"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=GBK">', "北京今年首场降雪"),
    ('<meta charset="big5">', "颱風過境 台北停班停課"),
    ('<meta charset="shift_jis">', "東京で初雪、平年より早く"),
    ('<meta charset="euc-kr">', "서울 첫눈, 평년보다 빨라"),
    ('<meta charset="windows-1252">', "Größere Änderungen für Übermorgen – „sagt“ die Stadt"),
    ('<meta charset="iso-8859-1">', "Café crème à Paris"),
    ('<meta charset="windows-1251">', "Мэр ушёл в отставку"),
    ("", "Koalition einigt sich auf Haushalt für Übermorgen"),  # the XML declaration below
]


@pytest.mark.parametrize(("declaration", "headline"), MISLABELLED_UTF8)
def test_valid_utf8_beats_a_legacy_declaration_in_the_page(declaration: str, headline: str) -> None:
    prolog = "" if declaration else '<?xml version="1.0" encoding="iso-8859-15"?>'
    data = f"{prolog}<html><head>{declaration}<title>{headline}</title></head><body></body></html>".encode()
    assert parse_page(data, "https://x.cn/").title_tag == headline


@pytest.mark.parametrize(
    ("declaration", "codec", "headline"),
    [
        ('<meta charset="gb2312">', "gb2312", "习近平会见法国总统"),
        ('<meta charset="gbk">', "gbk", "北京今年首场降雪"),
        ('<meta charset="windows-1252">', "cp1252", "Größere Änderungen – „sagt“ die Stadt"),
        ('<meta charset="shift_jis">', "shift_jis", "東京で初雪"),
        ('<meta charset="iso-2022-jp">', "iso2022_jp", "東京で初雪"),  # 7-bit: ASCII bytes, not UTF-8
    ],
)
def test_real_legacy_bytes_keep_their_declared_codec(declaration: str, codec: str, headline: str) -> None:
    data = f"<html><head>{declaration}<title>{headline}</title></head></html>".encode(codec)
    assert parse_page(data, "https://x.cn/").title_tag == headline


def test_the_http_charset_still_wins_over_valid_utf8_and_a_bom_over_everything() -> None:
    data = '<meta charset="gb2312"><title>北京</title>'.encode()
    assert decode_html(data, "gbk") == data.decode("gb18030", "replace")  # the server said so
    assert "北京" in decode_html(data, "iso-8859-1")  # a server's default Latin charset does not
    assert "北京" in decode_html(codecs.BOM_UTF8 + data, "gbk")


def test_undeclared_legacy_bytes_are_detected() -> None:
    text = "<p>" + "Größere Änderungen für Übermorgen und später. " * 20 + "</p>"
    assert "Größere" in decode_html(text.encode("cp1252"))


@pytest.mark.parametrize("data", [b"", b"   ", b"%PDF-1.4 binary", b"just text without markup"])
def test_not_html(data: bytes) -> None:
    with pytest.raises(NotHtmlError):
        parse_page(data, "https://x.com/")


def test_metas_links_and_json_ld_are_collected_once() -> None:
    page = parse_page(
        '<html amp lang="de"><head><meta property="og:title" content="A &amp;amp; B">'
        '<link rel="canonical" href="/c"><base href="https://cdn.x.com/base/">'
        '<script type="application/ld+json">{"@graph":[{"@type":"WebSite","name":"X"},'
        '{"@type":"NewsArticle","headline":"H"}]}</script></head><body></body></html>',
        "https://x.com/a",
    )
    assert page.meta("og:title") == "A & B"  # double-escaped entity decoded
    assert page.link("canonical") == "/c"
    assert page.base_url == "https://cdn.x.com/base/"
    assert page.is_amp and page.lang == "de"
    assert [o["headline"] for o in page.ld_articles] == ["H"]


def test_broken_json_ld_is_repaired() -> None:
    page = parse_page(
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Line\nbreak",}</script><p>x</p>',
        "https://x.com/",
    )
    assert page.ld_articles[0]["headline"] == "Line break"


def test_navigation_and_breadcrumbs_are_recognised() -> None:
    from crawler.extraction.layout import in_navigation

    doc = parse_page(
        '<html><body><nav><h1 id="a">Site</h1></nav><ol class="fp-breadcrumbs"><li><h1 id="b">Story</h1></li></ol>'
        '<div data-testid="BreadcrumbArea"><h1 id="c">Story</h1></div><article><h1 id="d">Story</h1></article>'
        "</body></html>",
        "https://example.com/",
    )
    found = {h.get("id"): in_navigation(h) for h in doc.h1s}
    assert found == {"a": True, "b": True, "c": True, "d": False}
    assert doc.layout.headline is not None and doc.layout.headline.get("id") == "d"


def _ld_page(*blocks: str) -> object:
    scripts = "".join(f'<script type="application/ld+json">{block}</script>' for block in blocks)
    return parse_page(f"<html><head>{scripts}</head><body><p>x</p></body></html>", "https://x.com/a")


def test_json_ld_deeper_than_the_limit_is_skipped_and_noted() -> None:
    from crawler.extraction.page import JSON_LD_MAX_DEPTH

    article = '{"@type":"NewsArticle","headline":"H","x":%s}'
    at_limit = article % ("[" * (JSON_LD_MAX_DEPTH - 1) + "]" * (JSON_LD_MAX_DEPTH - 1))
    over = article % ("[" * JSON_LD_MAX_DEPTH + "]" * JSON_LD_MAX_DEPTH)
    assert [o["headline"] for o in _ld_page(at_limit).ld_articles] == ["H"]
    assert _ld_page(at_limit).notes == []
    page = _ld_page(over, '{"@type":"NewsArticle","headline":"Next block"}')
    assert [o["headline"] for o in page.ld_articles] == ["Next block"]
    assert page.notes == ["jsonld_too_deep"]


@pytest.mark.parametrize("depth", [150_000, 5_000])  # under the size limit
def test_deep_json_ld_never_raises(depth: int) -> None:
    for text in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth, "[" * depth):
        page = _ld_page(text)
        assert page.json_ld == [] and page.notes == ["jsonld_too_deep"]


def test_brackets_inside_json_ld_strings_do_not_count_as_depth() -> None:
    headline = '[[[[ {{{{ \\" ' * 100  # escaped quotes do not end the string
    page = _ld_page('{"@type":"NewsArticle","headline":"' + headline + '"}')
    assert page.notes == [] and page.ld_articles[0]["headline"].startswith('[[[[ {{{{ " ')


def test_json_ld_over_the_size_limit_is_skipped_and_noted() -> None:
    from crawler.extraction.page import JSON_LD_MAX_CHARS

    body = '{"@type":"NewsArticle","headline":"H","articleBody":"%s"}'
    fits = body % ("x" * (JSON_LD_MAX_CHARS - 100))
    assert _ld_page(fits).notes == [] and _ld_page(fits).ld_articles
    page = _ld_page(body % ("x" * JSON_LD_MAX_CHARS), body % "short")
    assert [o["articleBody"] for o in page.ld_articles] == ["short"]
    assert page.notes == ["jsonld_too_large"]


@pytest.mark.parametrize(
    "markup",
    [
        "<html><head><title>Café</title></head><body><p>Über den Fluss</p></body></html>",
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>Über den Fluss</p></body></html>',
        "<html><body><p>Über\x00 den Fluss</p></body></html>",
        '<html><head><meta charset="iso-8859-1"></head><body><p>Über den Fluss</p></body></html>',
    ],
)
def test_utf8_bytes_parse_as_their_text_does(markup: str) -> None:
    # UTF-8 bytes go to the parser as they are (no second encoding) unless something is taken out first.
    def serialized(data: bytes | str) -> str:
        return etree.tostring(parse_page(data, "https://x.com/a").tree, encoding="unicode")

    assert serialized(markup.encode("utf-8")) == serialized(markup)
    assert "\x00" not in serialized(markup.encode("utf-8")) and "<?xml" not in serialized(markup.encode("utf-8"))


def test_every_element_is_an_html_element() -> None:
    doc = parse_page("<form><input name=q><select><option>a</option></select><p>x</p></form>", "https://x.com/")
    assert {type(e) for e in doc.tree.iter()} == {HtmlElement}
    assert doc.tree.find(".//p").text_content() == "x"

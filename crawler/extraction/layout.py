"""The page's layout, decided once: the story root, the headline element and what every block is.

Every field asks the same question: is this element part of the story, or of a sidebar, another story's
teaser, the navigation, a picture? The answer comes from here, from one vocabulary of tag, name and role
signals (:data:`VOCABULARY`), so a "trending" box is another story for the dates, the headline, the
summary, the pictures and the body text alike.

An element's kind (:meth:`Layout.kind`) is the set of :class:`Block` kinds of the blocks it sits in, as bit
flags, up to the story's own path (the story root, the headline and their ancestors: a "sidebar" class
there is a layout accident, not a sidebar). Each field passes over the kinds listed for it at the end of
this module; where fields differ, the difference is written there, with the reason. Kinds are computed on
first use and memoized per element on the page's :class:`Layout` (``Page.layout``).
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction.normalize import fold

if TYPE_CHECKING:
    from crawler.extraction.page import Page

__all__ = [
    "DATES_FALLBACK",
    "DATES_PICTURE",
    "DATES_SKIP",
    "HEADLINE_SKIP",
    "IMAGES_SKIP",
    "NOT_STORY",
    "PEOPLE_PATH",
    "STANDFIRST_SKIP",
    "TEXT_SKIP",
    "VOCABULARY",
    "Block",
    "Layout",
    "block_names",
    "breaks_line",
    "in_navigation",
    "signals",
]


class Block:
    """Kinds of block, as bit flags: an element may sit in several (a teaser list inside a sidebar)."""

    STORY = 0  # nothing but the story
    NAVIGATION = 1 << 0  # <nav>, role=navigation
    BREADCRUMB = 1 << 1  # a breadcrumb trail
    TAGS = 1 << 2  # a tag list
    MASTHEAD = 1 << 3  # the site's <header> outside the story
    BRANDING = 1 << 4  # the site's logo and name
    OTHER_STORY = 1 << 5  # other stories: related, recommended, more stories, trending, popular
    TEASER = 1 << 6  # a teaser: another story's, or the story's own lead ("Teaser" is a standfirst in German)
    LISTING = 1 << 7  # an item of a list whose items carry dates of their own (events, archive links)
    COMMENTS = 1 << 8  # readers' comments
    SIDEBAR = 1 << 9  # sidebars and widgets, by name (a theme may wrap the story's own meta column in one)
    SIDE_COLUMN = 1 << 10  # a block named "aside": a side column, or a wrapper of story and side column
    ASIDE = 1 << 11  # the <aside> element: HTML's own mark for content beside the story
    FOOTER = 1 << 12  # page and article footers
    ADVERT = 1 << 13  # ads, sponsored and promo boxes
    OFFER = 1 << 14  # newsletter and subscription offers, sign-up boxes, cookie notices
    PAYWALL = 1 << 15  # a paywall's prompt (a block named paywall that wraps the story's text is the story)
    SHARING = 1 << 16  # share buttons and share-plugin wrappers (which also wrap pictures: "novashare-pinterest-image")
    SOCIAL = 1 << 17  # social media boxes and embeds
    CONTROLS = 1 << 18  # forms and buttons
    PICTURE = 1 << 19  # figures, captions, credits
    MEDIA = 1 << 20  # blocks named for pictures: image, photo, gallery, media (a "TextMedia" block holds text too)
    AUTHOR = 1 << 21  # author boxes, avatars, profiles, bylines, links to people's pages
    BIO = 1 << 22  # an author's biography
    ICON = 1 << 23  # icons, badges, emoji
    HIDDEN = 1 << 24  # <noscript>: not shown


def block_names(kinds: int) -> list[str]:
    """The names of the kinds set in ``kinds`` (for messages and tests)."""
    return [name for name, value in vars(Block).items() if isinstance(value, int) and value and kinds & value]


# One vocabulary for the page's layout: (kind, words in class/id/role/label names, tags that are such a
# block). A word matches anywhere in a name ("related-posts", "rightsidebar"); one in <...> only as a whole
# part of a name, split at spaces, "-" and "_" ("icon" in "share-icon", not in "lexicon").
VOCABULARY: tuple[tuple[int, str, str], ...] = (
    (Block.NAVIGATION, "", "nav"),  # and role=navigation
    (Block.BREADCRUMB, r"breadcrumb crumbs?\b crumb[_-]", ""),  # and data-* values naming a breadcrumb
    (Block.TAGS, r"tags?\b", ""),
    (
        Block.BRANDING,
        r"<logos?> <brand(?:ing)?> <site[-_]?(?:title|name|header|logo)> <masthead> <blog[-_]?(?:title|name)> <navbar>",
        "",
    ),
    (Block.OTHER_STORY, r"related recommend more-?stories read-?more trending popular", ""),
    (Block.TEASER, r"teaser", ""),
    (Block.COMMENTS, r"comment", ""),
    (Block.SIDEBAR, r"sidebar widget", ""),
    (Block.SIDE_COLUMN, r"aside", ""),
    (Block.ASIDE, "", "aside"),
    (Block.FOOTER, r"footer", "footer"),
    (Block.ADVERT, r"advert \bad\b ads- <sponsored?> promo", ""),
    (Block.OFFER, r"newsletter subscribe signup cookie", ""),
    (Block.PAYWALL, r"paywall(?!ed)", ""),  # "paywalled" marks the paid text itself
    (Block.SHARING, r"share", ""),
    (Block.SOCIAL, r"social", ""),
    (Block.CONTROLS, "", "form button"),
    (Block.PICTURE, r"caption credit", "figure figcaption picture"),
    (Block.MEDIA, r"image photo picture gallery media foto bild", ""),
    (Block.AUTHOR, r"<author\w*> <avatars?> <profiles?> <byline> <gravatar>", ""),
    (Block.BIO, r"author-bio", ""),
    (Block.ICON, r"<icons?> <badges?> <emoji>", ""),
    (Block.HIDDEN, "", "noscript"),
)
# Where the names are: an element's class and id, its ARIA role and label, its microdata type, test ids.
_NAME_ATTRIBUTES = frozenset({"class", "id", "role", "itemtype", "aria-label", "data-testid", "data-test-id"})
# Class names that carry the post's taxonomy, not the layout: WordPress names a post's wrapper after its
# tags and categories ("post-6996 type-post tag-social-media category-trending"); Drupal marks a story
# promoted to the front page "node-promoted" (no promo box).
_POST_CLASS = re.compile(r"(?<!\S)(?:post-\d+|hentry|type-[\w-]+)(?!\S)")
_TAXONOMY_CLASS = re.compile(r"(?<!\S)(?:tag|category|format|post_tag)-\S+")
_STATUS_CLASS = re.compile(r"(?<!\S)node-promoted(?!\S)")
# A class that says what a block has not ("entry-content no-share", "without-ads") names no such block.
_NEGATED_CLASS = re.compile(r"(?<!\S)(?:no|without|hide)[-_]\S+")
# Structural signals (computed by :class:`Layout`, they need the page): a <header> outside the story is the
# MASTHEAD; an <li> of a list with dated items is a LISTING; a link to a people page is AUTHOR; a block
# named paywall is a PAYWALL prompt only when it holds little text.
PEOPLE_PATH = re.compile(
    r"/(?:authors?|autor(?:en)?|auteurs?|autores|profiles?|people|team|staff|users?)(?:/|$)", re.IGNORECASE
)
_DATED_ITEMS = 3  # dated items that make a list a listing
_PAYWALL_PROMPT_CHARS = 600  # a block named paywall with more text than this wraps the story, not a prompt
_HAS_YEAR = re.compile(r"(?<!\d)(?:19[9]\d|20[0-4]\d)(?!\d)")


def _word(word: str) -> str:
    # Every alternative opens with a literal letter, and the names are lower-cased: then ``re`` scans only
    # the positions where a word can start (a lookbehind first would make it try each one at every position).
    if word.startswith("<"):  # <word>: not after or before a character of the same name part
        word = word[1:-1]
        return rf"{word[0]}(?<![^\s_-]{word[0]})(?:{word[1:]})(?![^\s_-])"
    if word.startswith(r"\b"):
        word = word[2:]
        return rf"{word[0]}(?<!\w{word[0]}){word[1:]}"
    return word


def _tag_kinds() -> dict[str, int]:
    found: dict[str, int] = {}
    for kind, _, tags in VOCABULARY:
        for tag in tags.split():
            found[tag] = found.get(tag, 0) | kind
    return found


def _kind_words() -> dict[str, list[tuple[int, re.Pattern[str]]]]:
    """Each kind's words as one pattern, listed under the letters its words open with: where a word of
    the vocabulary starts, only the kinds with a word opening with that letter can match."""
    found: dict[str, list[tuple[int, re.Pattern[str]]]] = {}
    for kind, words, _ in VOCABULARY:
        if words:
            patterns = [_word(w) for w in words.split()]
            pattern = re.compile("|".join(patterns))
            for letter in dict.fromkeys(p[0] for p in patterns):
                found.setdefault(letter, []).append((kind, pattern))
    return found


_TAG_KINDS = _tag_kinds()
_ANY_WORD = re.compile("|".join(_word(w) for _, words, _ in VOCABULARY for w in words.split()))
_KIND_WORDS = _kind_words()


@lru_cache(maxsize=16384)
def _name_kinds(value: str, is_class: bool = False) -> int:
    """The kinds the words in one name (a class, id, role ... attribute's value) name. No word spans two
    names, so an element's kinds are those of its names one by one; and names repeat over a page and
    across pages (ids less, but they are short): decided once per name."""
    if is_class and "-" in value:
        if _POST_CLASS.search(value):
            value = _TAXONOMY_CLASS.sub(" ", value)
        value = _NEGATED_CLASS.sub(" ", _STATUS_CLASS.sub(" ", value))
    value = value.lower()
    kinds = 0
    for match in _ANY_WORD.finditer(value):
        start = match.start()
        for kind, pattern in _KIND_WORDS[value[start]]:
            if pattern.match(value, start):
                kinds |= kind
    return kinds


def signals(element: HtmlElement) -> int:
    """The kinds an element's own tag and names say it is (:data:`VOCABULARY`), not where it sits."""
    kinds = _TAG_KINDS.get(element.tag, 0)
    for name, value in element.items():
        if name in _NAME_ATTRIBUTES:
            kinds |= _name_kinds(value, name == "class")
            if name == "role" and value.strip().lower() == "navigation":
                kinds |= Block.NAVIGATION
        elif name.startswith("data-") and "breadcrumb" in value.lower():
            kinds |= Block.BREADCRUMB  # data-component="Breadcrumbs" and the like
    return kinds


_NAVIGATION_STOPS = frozenset({"body", "html", "article", "main"})


def in_navigation(element: HtmlElement) -> bool:
    """Whether ``element`` sits in a navigation block (``<nav>``, ``role=navigation``, a breadcrumb trail)
    below the nearest article or main element.

    It does not need the story's path, so it can help find the headline: news CMSs often repeat the SEO
    title as the last breadcrumb and mark it up as the page's ``<h1>``, while the displayed headline is an
    ``<h2>`` below it.
    """
    for node in (element, *element.iterancestors()):
        if node.tag in _NAVIGATION_STOPS:
            return False
        if signals(node) & (Block.NAVIGATION | Block.BREADCRUMB):
            return True
    return False


# Elements a browser shows as blocks by default (the HTML standard's rendering rules: display block,
# list-item, table rows and cells) and <br>: the text on either side of their edges is on another line (or
# in another cell), never part of one word. An inline style saying so (``style="display:block"``) counts too.
_LINE_BREAKING_TAGS = (
    "address article aside blockquote br caption center dd details dialog div dl dt fieldset figcaption figure"
    " footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main menu nav ol p pre section summary table"
    " tbody td tfoot th thead tr ul"
)
_LINE_BREAKING = frozenset(_LINE_BREAKING_TAGS.split())
_BLOCK_STYLE = re.compile(r"display\s*:\s*(?:block|flex|grid|list-item|table)", re.IGNORECASE)


def breaks_line(element: HtmlElement) -> bool:
    """Whether the page shows ``element`` on lines of its own (a block, a table cell, ``<br>``)."""
    if element.tag in _LINE_BREAKING:
        return True
    style = element.get("style")
    return style is not None and _BLOCK_STYLE.search(style) is not None


# The story's candidates besides <article> and <main> (collected by :class:`~crawler.extraction.page.Page`)
# and the articleBody microdata elements (with their parents): role=main, found by a walk over the
# elements' attributes, which costs a fifth of testing every element (``//*[@role='main']``); then all of
# them in document order, as libxml2 returns any node-set.
_ROLE_MAIN = etree.XPath("//*/@role[.='main']/..")
_IN_DOCUMENT_ORDER = etree.XPath("$nodes")
_PAGE_LEVEL = frozenset({"body", "html"})  # their classes describe the whole page ("has-sidebar")


class Layout:
    """The layout view of one page: :attr:`story`, :attr:`headline`, :attr:`story_path` and every
    element's :meth:`kind`, each computed on first use."""

    def __init__(self, page: Page):
        self._page = page
        self._kinds: dict[HtmlElement, int] = {}  # elements, not id()s: a held lxml proxy stays unique
        self._dated_lists: dict[HtmlElement, bool] = {}

    @cached_property
    def story(self) -> HtmlElement | None:
        """The element holding the story (``<article>``, articleBody, ``<main>``), or None: of several,
        the one with the headline and real text, else the one with the most paragraph text."""
        page = self._page
        bodies = [e for e in page.itemprops.get("articlebody", ()) if e.get("itemprop") == "articleBody"]
        candidates = [*page.story_elements, *bodies, *(e.getparent() for e in bodies), *_ROLE_MAIN(page.tree)]
        candidates = [e for e in dict.fromkeys(candidates) if e is not None]
        if len(candidates) < 2:
            return candidates[0] if candidates else None
        candidates = _IN_DOCUMENT_ORDER(page.tree, nodes=candidates)  # the first of equals wins

        def score(element: HtmlElement) -> tuple[int, int]:
            has_h1 = next(element.iter("h1"), None) is not None
            text = sum(len(p.text_content()) for p in element.iter("p"))
            return (1 if has_h1 and text > 200 else 0, text)

        return max(candidates, key=score)

    @cached_property
    def headline(self) -> HtmlElement | None:
        """The element showing the headline: an h1 in the story, else a wordy h1, else an h2-h4 that
        repeats the page title (blogs and CMS pages that keep h1 for the site name, news sites that put
        an SEO h1 into the breadcrumb trail, older templates with no h1 at all). h1s inside navigation
        are never the headline, nor h2-h4s in blocks that are not the story (:data:`HEADLINE_SKIP`)."""
        page, story = self._page, self.story
        h1s = [h1 for h1 in page.h1s if not in_navigation(h1)]
        for h1 in h1s:
            if story is not None and any(a is story for a in h1.iterancestors()):
                return h1
        for h1 in h1s:
            if len(h1.text_content().split()) >= 3:
                return h1
        titles = [fold(t) for t in (page.meta("og:title"), page.title_tag) if t]
        if not titles:
            return None
        for element in page.tree.iter("h2", "h3", "h4"):
            key = fold(element.text_content())
            if len(key) < 12 or not any(key in t for t in titles) or in_navigation(element):
                continue
            if not self._named_in(element, HEADLINE_SKIP):  # not another story's teaser repeating the title
                return element
        return None

    def _named_in(self, element: HtmlElement, kinds: int) -> bool:
        """Whether a block around ``element``, below the story root, is named one of ``kinds`` (by its own
        names: for questions asked before the story's path is known)."""
        for node in element.iterancestors():
            if node is self.story or node.tag in _PAGE_LEVEL:
                return False
            if signals(node) & kinds:
                return True
        return False

    @cached_property
    def story_path(self) -> frozenset[HtmlElement]:
        """The elements that hold the story itself: the story root, the headline, the h1s repeating its
        words (not those in navigation), and all their ancestors. Their names are layout accidents."""
        headline = self.headline
        h1s = [h for h in self._page.h1s[:3] if not in_navigation(h)]
        if headline is None:
            anchors = h1s
        else:
            words = headline.text_content().split()
            anchors = [headline, *(h for h in h1s if h.text_content().split()[: len(words)] == words)]
        if self.story is not None:
            anchors.append(self.story)
        found = set()
        for anchor in anchors:
            found.add(anchor)
            found.update(anchor.iterancestors())
        return frozenset(found)

    @cached_property
    def _story_headers(self) -> frozenset[HtmlElement]:
        return frozenset(self.story.iter("header")) if self.story is not None else frozenset()

    def kind(self, element: HtmlElement) -> int:
        """The :class:`Block` kinds of ``element`` and of the blocks around it, up to the story's path
        (0: the story's own block)."""
        memo = self._kinds
        known = memo.get(element)
        if known is not None:
            return known
        path = self.story_path
        chain = []
        inherited = 0
        node: HtmlElement | None = element
        while node is not None:
            known = memo.get(node)
            if known is not None:
                inherited = known
                break
            if node in path or node.tag in _PAGE_LEVEL:
                memo[node] = 0
                break
            chain.append(node)
            node = node.getparent()
        for node in reversed(chain):
            inherited |= self._own(node)
            memo[node] = inherited
        return memo[element]

    def context(self, element: HtmlElement) -> int:
        """The kinds of the blocks around ``element``, without its own names (a standfirst marked
        "teaser", a date marked "byline" are what they say, wherever they are)."""
        parent = element.getparent()
        return self.kind(parent) if parent is not None else Block.STORY

    def _own(self, element: HtmlElement) -> int:
        kinds = signals(element)
        if kinds & Block.PAYWALL and len(element.text_content()) > _PAYWALL_PROMPT_CHARS:
            kinds &= ~Block.PAYWALL  # the paid part of the story, in the page for search engines
        tag = element.tag
        if tag == "header":
            # The site's masthead: a date there is today's, the crawl's, not the story's. The story's own
            # header, holding the headline, is on the story's path and never gets here.
            if (self.story is not None or self.headline is not None) and element not in self._story_headers:
                kinds |= Block.MASTHEAD
        elif tag == "li":
            if self._is_dated_list(element.getparent()):
                kinds |= Block.LISTING
        elif tag == "a" and PEOPLE_PATH.search(element.get("href") or ""):
            kinds |= Block.AUTHOR
        return kinds

    def _is_dated_list(self, element: HtmlElement | None) -> bool:
        """A list whose items carry dates of their own (events, other stories, archive links)."""
        if element is None:
            return False
        known = self._dated_lists.get(element)
        if known is None:
            dated = 0
            for item in element.iterchildren("li"):
                if _HAS_YEAR.search(item.text_content()):
                    dated += 1
                    if dated >= _DATED_ITEMS:
                        break
            known = self._dated_lists[element] = dated >= _DATED_ITEMS
        return known


# ---- what each field passes over -------------------------------------------------------------------------

# Blocks that are not the story: every field passes over them, with the exceptions below.
NOT_STORY = (
    Block.NAVIGATION
    | Block.BREADCRUMB
    | Block.TAGS
    | Block.MASTHEAD
    | Block.OTHER_STORY
    | Block.TEASER
    | Block.LISTING
    | Block.COMMENTS
    | Block.ASIDE
    | Block.FOOTER
    | Block.ADVERT
    | Block.OFFER
    | Block.SHARING
    | Block.SOCIAL
    | Block.CONTROLS
)
# Dates. A date in a sidebar, widget or "aside" block is a last resort (some blog themes wrap the post, or
# its meta column, in a widget). The story's date row often shares its block with the tags or the share
# buttons ("dateandtags", "meta-share"), and some templates put the story's header in the breadcrumb bar:
# those blocks do not exclude a date. Pictures (captions, credits, galleries) are passed over only next to
# the headline, where a photo's date sits beside the story's (:mod:`.datesources`).
DATES_SKIP = NOT_STORY & ~(Block.TAGS | Block.BREADCRUMB | Block.SHARING | Block.SOCIAL)
DATES_FALLBACK = Block.SIDEBAR | Block.SIDE_COLUMN
DATES_PICTURE = Block.PICTURE | Block.MEDIA
HEADLINE_SKIP = NOT_STORY
# The standfirst: not an author's bio or a caption. "Teaser" names the story's own lead as often as
# another story's ("cms_teaser").
STANDFIRST_SKIP = (NOT_STORY & ~Block.TEASER) | Block.AUTHOR | Block.BIO | Block.PICTURE
# Pictures: also not the author's portrait, the site's logo, icons. Buttons wrap zoomable pictures (slide
# viewers, lightboxes) and share plugins wrap pictures to offer them for sharing ("img-share").
IMAGES_SKIP = (NOT_STORY & ~(Block.CONTROLS | Block.SHARING)) | Block.AUTHOR | Block.BIO | Block.BRANDING | Block.ICON
# Body text: also not sidebars and widgets, captions, paywall prompts, author biographies, what is not
# shown. A list of dated items is content here (a police blotter, a timeline), whatever it means for the
# date; and AUTHOR names too much that holds text ("author_guidelines", a "profile" tab).
TEXT_SKIP = (NOT_STORY & ~Block.LISTING) | Block.SIDEBAR | Block.PICTURE | Block.PAYWALL | Block.BIO | Block.HIDDEN

"""The HTML of a WordPress site around the Yoast block: what the theme prints.

- :class:`Underscores` — the ``_s`` starter theme markup most news themes grew from
  (``site-header``, ``entry-title``, ``entry-meta`` with ``<time datetime>`` in local time,
  ``post-thumbnail``, ``entry-content``, numbered ``nav-links``). TechNode's site.
- :class:`Valenti` — the ``cb-*`` markup of the Valenti magazine theme (``cb-entry-title``,
  ``cb-byline`` whose ``<time>`` holds only the local day, ``cb-fis`` featured image,
  ``cb-entry-content``, ``cb-post-title`` cards, ``cb-pagination``). TechStory's site.

``theme_for(site)`` picks the class named by ``site.theme``.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from tools.fixture_sites.kit.common import BASE, display_date, esc, iso, slugify
from tools.fixture_sites.kit.wordpress import (
    Post,
    WordPressSite,
    article_head,
    collection_head,
    page_path,
    simple_head,
    texturized,
    wp_head_links,
)


class Theme:
    """What every theme prints the same way; subclasses print the pages."""

    name = ""

    def __init__(self, site: WordPressSite):
        self.site = site

    def article_page(self, post: Post, related: list[Post], recent: list[Post] | None = None) -> bytes:
        """The post's page; ``related`` and ``recent`` fill the theme's blocks of other posts (if it has them)."""
        raise NotImplementedError

    def listing_page(
        self, number: int, total: int, posts: list[Post], popular: list[Post], base_path: str = "/", title: str = ""
    ) -> bytes:
        raise NotImplementedError

    def simple_page(self, path: str, title: str, description: str, content: str, *, og_type: str = "website") -> bytes:
        raise NotImplementedError

    def listing_card(self, post: Post, link_path: str) -> str:
        raise NotImplementedError

    def pagination_links(self, number: int, total: int, base_path: str = "/") -> str:
        """The listing page's ``<link rel="prev">`` / ``<link rel="next">`` (the same in every theme)."""
        rel = ""
        if number > 1:
            rel += f'<link rel="prev" href="{BASE}{page_path(number - 1, base_path)}" />\n'
        if number < total:
            rel += f'<link rel="next" href="{BASE}{page_path(number + 1, base_path)}" />\n'
        return rel

    # --- shared ----------------------------------------------------------------------------------

    def listing_title(self, number: int, total: int) -> str:
        """Yoast's title of the home page and its pages."""
        if number > 1:
            return f"{self.site.name} - Page {number} of {total} - {self.site.tagline}"
        return f"{self.site.name} - {self.site.tagline}"

    def body_text(self, post: Post, *, entities: bool) -> str:
        """The post's paragraphs (after the newsletter promo when it has one)."""
        text: Callable[[str], str] = texturized if entities else (lambda t: html.escape(t, quote=False))
        parts = []
        if post.promo:
            promo = text(self.site.newsletter_promo)
            parts.append(f'<div class="{self.site.slug}-newsletter-promo"><p><em>{promo}</em></p></div>')
        parts += [f"<p>{text(paragraph)}</p>" for paragraph in post.body]
        return "\n".join(parts)

    def post_classes(self, post: Post) -> str:
        return " ".join(
            [
                f"post-{post.id}",
                "post",
                "type-post",
                "status-publish",
                "format-standard",
                "has-post-thumbnail",
                "hentry",
            ]
            + [f"category-{slugify(post.section)}"]
            + [f"tag-{slugify(t)}" for t in post.tags]
        )

    def author_link(self, post: Post) -> str:
        return f"{BASE}/author/{slugify(post.author)}/"


# --- underscores ------------------------------------------------------------------------------------


class Underscores(Theme):
    """``_s`` markup: ``<time datetime>`` with the local offset in the byline, numbered pagination."""

    name = "underscores"

    def site_header(self) -> str:
        items = "".join(f'<li class="menu-item"><a href="{BASE}{path}">{name}</a></li>' for name, path in self.site.nav)
        return (
            '<header id="masthead" class="site-header">\n'
            f'<div class="site-branding"><p class="site-title"><a href="{BASE}/" rel="home">{esc(self.site.name)}</a>'
            "</p></div>\n"
            '<nav id="site-navigation" class="main-navigation" aria-label="Primary menu">'
            f'<ul id="primary-menu" class="menu">{items}</ul></nav>\n'
            "</header>\n"
        )

    def site_footer(self) -> str:
        return (
            '<footer id="colophon" class="site-footer">\n'
            f'<div class="site-info">&copy; {self.site.footer_year} {esc(self.site.name)}. '
            f'<a href="{BASE}/about/">About</a> | <a href="{BASE}/feed/">RSS</a> | '
            f'<a href="https://twitter.com/{self.site.twitter}">Twitter</a></div>\n'
            "</footer>\n"
        )

    def sidebar(self, popular: list[Post]) -> str:
        links = "".join(f'<li><a href="{p.url}">{texturized(p.title)}</a></li>' for p in popular)
        return (
            '<aside id="secondary" class="widget-area">\n'
            f'<section class="widget widget_popular"><h2 class="widget-title">Popular</h2><ul>{links}</ul></section>\n'
            "</aside>\n"
        )

    def byline(self, post: Post) -> str:
        author = (
            f'<span class="byline"> by <span class="author vcard"><a class="url fn n" '
            f'href="{self.author_link(post)}">{esc(post.author)}</a></span></span>'
        )
        if post.dates == "none" or post.published is None:
            return f'<div class="entry-meta">{author}</div>'
        if post.dates == "byline_text":
            shown = display_date(post.published, post.zone, with_time=True)
            return f'<div class="entry-meta"><span class="posted-on">{shown}</span>{author}</div>'
        published = display_date(post.published, post.zone, with_time=True)
        return (
            f'<div class="entry-meta"><span class="posted-on">Posted on <a href="{post.url}" rel="bookmark">'
            f'<time class="entry-date published" datetime="{iso(post.published, post.zone)}">{published}</time>'
            f'<time class="updated" datetime="{iso(post.modified, post.zone)}">'
            f"{display_date(post.modified, post.zone)}</time>"
            f"</a></span>{author}</div>"
        )

    def article_page(self, post: Post, related: list[Post], recent: list[Post] | None = None) -> bytes:
        """The post's HTML as WordPress serves it, encoded as the post says."""
        site = self.site
        utf8 = post.encoding == "utf-8"
        # wptexturize references in UTF-8 pages; a page in another encoding keeps raw characters so the
        # decoding itself is what gets tested.
        title_html = texturized(post.title) if utf8 else html.escape(post.title, quote=False)
        tag_links = ", ".join(f'<a href="{BASE}/tag/{slugify(t)}/" rel="tag">{esc(t)}</a>' for t in post.tags)
        amp = f'<link rel="amphtml" href="{post.url}amp/" />\n' if post.amp else ""
        page = (
            "<!doctype html>\n"
            '<html lang="en-US">\n<head>\n'
            f'<meta charset="{"UTF-8" if utf8 else post.encoding}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            + article_head(post, site)
            + wp_head_links(site)
            + f'<link rel="shortlink" href="{BASE}/?p={post.id}" />\n'
            + amp
            + "</head>\n"
            + f'<body class="post-template-default single single-post postid-{post.id} single-format-standard">\n'
            + '<div id="page" class="site">\n'
            + self.site_header()
            + '<div id="content" class="site-content">\n<div id="primary" class="content-area">\n'
            + '<main id="main" class="site-main">\n'
            + f'<article id="post-{post.id}" class="{self.post_classes(post)}">\n'
            + '<header class="entry-header">\n'
            + f'<h1 class="entry-title">{title_html}</h1>\n'
            + self.byline(post)
            + "\n</header>\n"
            + f'<div class="post-thumbnail"><img width="{post.image["width"]}" height="{post.image["height"]}" '
            + f'src="{esc(post.image["url"])}" class="attachment-post-thumbnail size-post-thumbnail wp-post-image" '
            + 'alt="" decoding="async" /></div>\n'
            + '<div class="entry-content">\n'
            + self.body_text(post, entities=utf8)
            + "\n</div>\n"
            + '<footer class="entry-footer">'
            + f'<span class="cat-links">Posted in <a href="{BASE}/category/{slugify(post.section)}/" '
            + f'rel="category tag">{esc(post.section)}</a></span> '
            + f'<span class="tags-links">Tagged {tag_links}</span></footer>\n'
            + "</article>\n</main>\n</div>\n</div>\n"
            + self.site_footer()
            + "</div>\n</body>\n</html>\n"
        )
        return page.encode(post.encoding)

    def listing_card(self, post: Post, link_path: str) -> str:
        href = BASE + link_path
        if post.published and post.dates == "full":
            when = (
                f'<span class="posted-on"><a href="{href}" rel="bookmark"><time class="entry-date published" '
                f'datetime="{iso(post.published, post.zone)}">{display_date(post.published, post.zone)}</time></a>'
                "</span>"
            )
        elif post.published and post.dates == "byline_text":
            when = f'<span class="posted-on">{display_date(post.published, post.zone)}</span>'
        else:
            when = ""
        return (
            f'<article id="post-{post.id}" class="post-{post.id} post type-post status-publish has-post-thumbnail '
            'hentry">\n'
            f'<a class="post-thumbnail" href="{href}" aria-hidden="true" tabindex="-1"><img width="400" height="225" '
            f'src="{esc(post.image["url"])}" class="attachment-medium size-medium wp-post-image" alt="" '
            'loading="lazy" /></a>\n'
            f'<header class="entry-header"><h2 class="entry-title"><a href="{href}" rel="bookmark">'
            f"{texturized(post.title)}</a></h2>\n"
            f'<div class="entry-meta">{when}<span class="byline"> by <span class="author vcard">'
            f'<a class="url fn n" href="{self.author_link(post)}">{esc(post.author)}</a></span></span></div>\n'
            "</header>\n"
            f'<div class="entry-summary"><p>{texturized(post.description)}</p></div>\n'
            f'<footer class="entry-footer"><span class="cat-links"><a href="{BASE}/category/{slugify(post.section)}/" '
            f'rel="category tag">{esc(post.section)}</a></span></footer>\n'
            "</article>\n"
        )

    def pagination(self, number: int, total: int, base_path: str = "/") -> str:
        parts = []
        if number > 1:
            parts.append(f'<a class="prev page-numbers" href="{BASE}{page_path(number - 1, base_path)}">Previous</a>')
        for n in range(1, total + 1):
            if n == number:
                parts.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
            else:
                parts.append(f'<a class="page-numbers" href="{BASE}{page_path(n, base_path)}">{n}</a>')
        if number < total:
            parts.append(f'<a class="next page-numbers" href="{BASE}{page_path(number + 1, base_path)}">Next</a>')
        return (
            '<nav class="navigation pagination" aria-label="Posts">\n'
            '<h2 class="screen-reader-text">Posts navigation</h2>\n'
            f'<div class="nav-links">{"".join(parts)}</div>\n</nav>\n'
        )

    def listing_page(
        self, number: int, total: int, posts: list[Post], popular: list[Post], base_path: str = "/", title: str = ""
    ) -> bytes:
        """The home page (``number`` 1) or ``/page/N/``: posts newest first, WordPress pagination."""
        url = BASE + page_path(number, base_path)
        title = title or self.listing_title(number, total)
        rel = self.pagination_links(number, total, base_path)
        cards = "".join(self.listing_card(p, p.old_path or p.path) for p in posts)
        page = (
            "<!doctype html>\n"
            '<html lang="en-US">\n<head>\n<meta charset="UTF-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            + collection_head(self.site, url, title, rel)
            + wp_head_links(self.site)
            + "</head>\n"
            + f'<body class="home blog{" paged paged-" + str(number) if number > 1 else ""}">\n'
            + '<div id="page" class="site">\n'
            + self.site_header()
            + '<div id="content" class="site-content">\n<div id="primary" class="content-area">\n'
            + '<main id="main" class="site-main">\n'
            + cards
            + self.pagination(number, total, base_path)
            + "</main>\n</div>\n"
            + self.sidebar(popular)
            + "</div>\n"
            + self.site_footer()
            + "</div>\n</body>\n</html>\n"
        )
        return page.encode("utf-8")

    def simple_page(self, path: str, title: str, description: str, content: str, *, og_type: str = "website") -> bytes:
        """A non-article WordPress page (about, archive, event)."""
        page = (
            "<!doctype html>\n"
            '<html lang="en-US">\n<head>\n<meta charset="UTF-8">\n'
            + simple_head(self.site, path, title, description, og_type)
            + wp_head_links(self.site)
            + '</head>\n<body class="page">\n<div id="page" class="site">\n'
            + self.site_header()
            + '<div id="content" class="site-content">\n<main id="main" class="site-main">\n'
            + f'<h1 class="page-title">{texturized(title)}</h1>\n'
            + content
            + "</main>\n</div>\n"
            + self.site_footer()
            + "</div>\n</body>\n</html>\n"
        )
        return page.encode("utf-8")


# --- valenti ------------------------------------------------------------------------------------------


class Valenti(Theme):
    """The ``cb-*`` magazine markup: the byline ``<time>`` holds only the local day."""

    name = "valenti"

    def header(self) -> str:
        items = "".join(
            '<li class="menu-item menu-item-type-taxonomy menu-item-object-category">'
            f'<a href="{BASE}{path}">{esc(name)}</a></li>'
            for name, path in self.site.nav
        )
        logo = self.site.logo
        return (
            '<header id="cb-header" class="cb-header cb-with-block clearfix">\n'
            f'<div id="logo" class="cb-logo"><a href="{BASE}/"><img src="{esc(logo["url"])}" '
            f'width="{logo["width"]}" height="{logo["height"]}" alt="{esc(self.site.name)} logo" /></a></div>\n'
            '<nav id="cb-nav-bar" class="clearfix" role="navigation">'
            f'<ul id="cb-main-menu" class="cb-main-nav clearfix">{items}</ul></nav>\n'
            "</header>\n"
        )

    def footer(self) -> str:
        return (
            '<footer id="cb-footer" class="clearfix" role="contentinfo">\n'
            f'<div class="cb-footer-lower cb-font-header clearfix"><div class="cb-copyright">&copy; '
            f"{self.site.footer_year} {esc(self.site.name)}. All rights reserved.</div>"
            f'<ul class="cb-footer-links"><li><a href="{BASE}/about-us/">About Us</a></li>'
            f'<li><a href="{BASE}/contact-us/">Contact Us</a></li>'
            f'<li><a href="{BASE}/privacy-policy/">Privacy Policy</a></li></ul></div>\n'
            "</footer>\n"
        )

    def byline(self, post: Post, *, short: bool = False) -> str:
        parts = [
            '<div class="cb-author cb-byline-element"><i class="fa fa-user"></i> '
            f'<a href="{self.author_link(post)}">{esc(post.author)}</a></div>'
        ]
        if post.published is not None and post.dates != "none":
            day = post.published.astimezone(post.zone).date().isoformat()
            parts.append(
                '<div class="cb-date cb-byline-element"><i class="fa fa-clock-o"></i> '
                f'<time class="updated" datetime="{day}">{display_date(post.published, post.zone)}</time></div>'
            )
        return f'<div class="cb-byline{" cb-byline-short" if short else ""}">{"".join(parts)}</div>'

    def sidebar(self, popular: list[Post]) -> str:
        links = "".join(f'<li><a href="{p.url}">{texturized(p.title)}</a></li>' for p in popular)
        return (
            '<aside class="cb-sidebar clearfix" role="complementary">\n'
            '<div id="recent-posts-2" class="cb-sidebar-widget widget_recent_entries">'
            f'<h3 class="cb-sidebar-widget-title">Recent Posts</h3><ul>{links}</ul></div>\n'
            "</aside>\n"
        )

    def head_open(self) -> str:
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en-US">\n<head>\n<meta charset="UTF-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        )

    def article_page(self, post: Post, related: list[Post], recent: list[Post] | None = None) -> bytes:
        site = self.site
        amp = f'<link rel="amphtml" href="{post.url}amp/" />\n' if post.amp else ""
        tag_links = "".join(f'<a href="{BASE}/tag/{slugify(t)}/" rel="tag">{esc(t)}</a>' for t in post.tags)
        section = f"{BASE}/category/{slugify(post.section)}/"
        cards = "".join(
            '<div class="cb-related-post cb-style-1 clearfix">'
            f'<div class="cb-mask"><a href="{p.url}"><img width="360" height="240" src="{esc(p.image["url"])}" '
            'class="attachment-cb-360-240 size-cb-360-240 wp-post-image" alt="" loading="lazy" /></a></div>'
            f'<div class="cb-meta"><h4 class="cb-post-title"><a href="{p.url}">{texturized(p.title)}</a></h4></div>'
            "</div>"
            for p in related
        )
        page = (
            self.head_open()
            + article_head(post, site)
            + wp_head_links(site)
            + f'<link rel="shortlink" href="{BASE}/?p={post.id}" />\n'
            + amp
            + "</head>\n"
            + f'<body class="post-template-default single single-post postid-{post.id} single-format-standard '
            + 'cb-body-light cb-sticky-mm">\n'
            + '<div id="cb-outer-container">\n'
            + self.header()
            + '<div id="cb-content" class="wrap clearfix">\n'
            + '<div id="main" class="cb-main clearfix" role="main">\n'
            + f'<article id="post-{post.id}" class="clearfix {self.post_classes(post)}" role="article">\n'
            + '<header id="cb-standard-title" class="cb-entry-header">\n'
            + f'<div class="cb-breadcrumbs"><a href="{BASE}/">Home</a><i class="fa fa-angle-right"></i>'
            + f'<a href="{section}">{esc(post.section)}</a></div>\n'
            + f'<h1 class="entry-title cb-entry-title cb-single-title">{texturized(post.title)}</h1>\n'
            + self.byline(post)
            + "\n</header>\n"
            + f'<div id="cb-featured-image" class="cb-fis cb-fis-block-standard"><img width="{post.image["width"]}" '
            + f'height="{post.image["height"]}" src="{esc(post.image["url"])}" '
            + 'class="attachment-full size-full wp-post-image" alt="" decoding="async" /></div>\n'
            + '<section class="cb-entry-content clearfix" itemprop="articleBody">\n'
            + self.body_text(post, entities=True)
            + "\n</section>\n"
            + f'<footer class="cb-article-footer"><div class="cb-tags cb-post-footer-block">{tag_links}</div>'
            + "</footer>\n"
            + "</article>\n"
            + '<div id="cb-related-posts-block" class="cb-post-footer-block cb-module-block clearfix">'
            + f'<h3 class="cb-title cb-title-header">Related Posts</h3>{cards}</div>\n'
            + "</div>\n"
            + self.sidebar(recent or [])
            + "</div>\n"
            + self.footer()
            + "</div>\n</body>\n</html>\n"
        )
        return page.encode("utf-8")

    def listing_card(self, post: Post, link_path: str) -> str:
        href = BASE + link_path
        return (
            f'<article id="post-{post.id}" class="cb-blog-style-a cb-module-a cb-separated clearfix '
            f'{self.post_classes(post)}">\n'
            f'<div class="cb-mask cb-img-fw"><a href="{href}"><img width="360" height="240" '
            f'src="{esc(post.image["url"])}" class="attachment-cb-360-240 size-cb-360-240 wp-post-image" alt="" '
            'loading="lazy" /></a></div>\n'
            '<div class="cb-meta clearfix">\n'
            f'<h2 class="cb-post-title"><a href="{href}">{texturized(post.title)}</a></h2>\n'
            + self.byline(post, short=True)
            + f'\n<div class="cb-excerpt">{texturized(post.description)} '
            f'<a href="{href}" class="cb-read-more">Read More...</a></div>\n'
            "</div>\n</article>\n"
        )

    def pagination(self, number: int, total: int, base_path: str = "/") -> str:
        parts = []
        if number > 1:
            parts.append(
                f'<a class="prev page-numbers" href="{BASE}{page_path(number - 1, base_path)}">'
                '<i class="fa fa-long-arrow-left"></i></a>'
            )
        for n in range(1, total + 1):
            if n == number:
                parts.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
            else:
                parts.append(f'<a class="page-numbers" href="{BASE}{page_path(n, base_path)}">{n}</a>')
        if number < total:
            parts.append(
                f'<a class="next page-numbers" href="{BASE}{page_path(number + 1, base_path)}">'
                '<i class="fa fa-long-arrow-right"></i></a>'
            )
        return f'<nav class="cb-pagination clearfix">{"".join(parts)}</nav>\n'

    def listing_page(
        self, number: int, total: int, posts: list[Post], popular: list[Post], base_path: str = "/", title: str = ""
    ) -> bytes:
        url = BASE + page_path(number, base_path)
        title = title or self.listing_title(number, total)
        rel = self.pagination_links(number, total, base_path)
        kind = "home blog" if base_path == "/" else "archive category"
        page = (
            self.head_open()
            + collection_head(self.site, url, title, rel)
            + wp_head_links(self.site)
            + "</head>\n"
            + f'<body class="{kind}{" paged paged-" + str(number) if number > 1 else ""} cb-body-light">\n'
            + '<div id="cb-outer-container">\n'
            + self.header()
            + '<div id="cb-content" class="wrap clearfix">\n'
            + '<div id="main" class="cb-main cb-module-block cb-blog-style-roll clearfix" role="main">\n'
            + "".join(self.listing_card(p, p.old_path or p.path) for p in posts)
            + self.pagination(number, total, base_path)
            + "</div>\n"
            + self.sidebar(popular)
            + "</div>\n"
            + self.footer()
            + "</div>\n</body>\n</html>\n"
        )
        return page.encode("utf-8")

    def simple_page(self, path: str, title: str, description: str, content: str, *, og_type: str = "website") -> bytes:
        page = (
            self.head_open()
            + simple_head(self.site, path, title, description, og_type)
            + wp_head_links(self.site)
            + '</head>\n<body class="page cb-body-light">\n<div id="cb-outer-container">\n'
            + self.header()
            + '<div id="cb-content" class="wrap clearfix">\n<div id="main" class="cb-main clearfix" role="main">\n'
            + f'<h1 class="cb-entry-title cb-single-title">{texturized(title)}</h1>\n'
            + f'<section class="cb-entry-content clearfix">{content}</section>\n'
            + "</div>\n</div>\n"
            + self.footer()
            + "</div>\n</body>\n</html>\n"
        )
        return page.encode("utf-8")


THEMES: dict[str, type[Theme]] = {theme.name: theme for theme in (Underscores, Valenti)}


def theme_for(site: WordPressSite) -> Theme:
    """The theme ``site.theme`` names, bound to the site."""
    try:
        return THEMES[site.theme](site)
    except KeyError:
        raise ValueError(f"unknown theme {site.theme!r} (known: {', '.join(THEMES)})") from None

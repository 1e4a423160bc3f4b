"""The TechStory-shaped fixture site, from ``techstory.yaml`` with the fixture-site kit.

TechStory (techstory.in) is WordPress with the Valenti theme (``cb-*`` markup), Yoast SEO and
permalinks without a date (``/<slug>/``). The registry reads three of its sources, and this
site serves all three, with the hostile variants a crawler meets in the wild:

- the REST API ``/wp-json/wp/v2/posts?_embed&per_page=20``: two pages (``&page=2``) with
  ``X-WP-Total``/``X-WP-TotalPages``, and HTTP 400 ``rest_post_invalid_page_number`` past the end;
- ``/feed/``: the newest ten posts;
- ``/sitemap_index.xml``: an index that lists itself and a child index that lists it back (a
  loop), a gzip sitemap (``post-sitemap2.xml.gz``) and a sitemap cut off in the middle of a
  ``<url>`` (``post-sitemap3.xml``);
- and ``/category/reviews/feed/``, a category feed URL that answers the category's HTML page.
"""

from __future__ import annotations

from pathlib import Path

from tools.fixture_sites.kit import wordpress as wp
from tools.fixture_sites.kit.common import BASE, gzip_bytes, serve_pictures, sitemap_index, url_entry, urlset
from tools.fixture_sites.kit.themes import theme_for

SOURCE = Path(__file__).with_name("techstory.yaml")
# The site's uploads folder, where its pictures are: served by the fixture server (kit.common.serve_pictures).
IMAGE_PREFIXES = ("https://techstory.in/wp-content/uploads/",)

API = "/wp-json/wp/v2/posts?_embed&per_page=20"  # the registry's wp-api source, path + query
PER_PAGE = 20
API_FILE = "wp-json/wp/v2/posts-page-{}.json"  # served through _routes.yaml, per query
JSON_TYPE = "application/json; charset=UTF-8"  # what the REST API sends
BAD_FEED = "/category/reviews/feed/"
REVIEWS = "/category/reviews/"
ABOUT = "/about-us/"
# How the posts (oldest first) are split over the three post sitemaps.
PLAIN, GZIPPED = 8, 7  # the rest goes to the truncated one
CUT_IN = 5  # the truncated sitemap stops inside its sixth <url>


def assign_sources(posts: list[wp.Post]) -> dict[str, list[wp.Post]]:
    """Where the site links each post (``post.sources``); returns the posts of each post sitemap."""
    ordered = wp.live(posts)
    plain, gzipped, truncated = ordered[:PLAIN], ordered[PLAIN : PLAIN + GZIPPED], ordered[PLAIN + GZIPPED :]
    newest = set(map(id, ordered[-10:]))
    for post in ordered:
        post.sources = ["api"]
        if id(post) in newest:
            post.sources.append("feed")
    for post in plain:
        post.sources.append("sitemap")
    for post in gzipped:
        post.sources.append("sitemap-gzip")
    for post in truncated[:CUT_IN]:
        post.sources.append("sitemap-truncated")
    return {"plain": plain, "gzipped": gzipped, "truncated": truncated}


def truncated_sitemap(posts: list[wp.Post]) -> bytes:
    """``post-sitemap3.xml`` as a download that stopped inside the ``<loc>`` of its sixth ``<url>``."""
    whole = wp.yoast_urlset([url_entry(p.url, p.modified, p.image["url"]) for p in posts]).decode("utf-8")
    cut_post = posts[CUT_IN]
    start = whole.index(f"<loc>{cut_post.url}") + len(f"<loc>{BASE}/")
    return whole[: start + len(cut_post.slug) // 2].encode("utf-8")


def gzip_sitemap(posts: list[wp.Post]) -> bytes:
    """``post-sitemap2.xml.gz``: a plain urlset (root-relative locs: no {{base}} inside gzip), gzipped."""
    entries = [url_entry(p.path, p.modified, p.image["url"]) for p in posts]
    attributes = 'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" '
    return gzip_bytes(urlset(entries, attributes=attributes))


def routes(posts: list[wp.Post], pages: list[wp.ApiPage]) -> bytes:
    lines = wp.route_lines(posts)
    for page in pages:
        headers = ", ".join(f'{name}: "{value}"' for name, value in page.headers.items())
        queries = [API, f"{API}&page=1"] if page.number == 1 else [f"{API}&page={page.number}"]
        for query in queries:
            lines.append(
                f'"{query}": {{file: {API_FILE.format(page.number)}, content_type: "{JSON_TYPE}", '
                f"headers: {{{headers}}}}}"
            )
    for number in range(len(pages) + 1, 6):  # the registry reads at most 5 pages
        lines.append(
            f'"{API}&page={number}": {{status: 400, content_type: "{JSON_TYPE}", '
            f"body: '{wp.REST_INVALID_PAGE}'}}  # past the last page"
        )
    lines.append(f"{BAD_FEED}: {{file: category/reviews/index.html}}  # the category page where its feed should be")
    return wp.routes_file("techstory", lines)


def related_posts(post: wp.Post, posts: list[wp.Post]) -> list[wp.Post]:
    """Valenti's "Related Posts": two others of the same category, else the nearest in time."""
    others = [p for p in wp.live(posts) if p is not post]
    same = [p for p in others if p.section == post.section]
    nearest = sorted(others, key=lambda p: abs((p.sort_key - post.sort_key).total_seconds()))
    chosen: list[wp.Post] = []
    for candidate in [*same, *nearest]:
        if candidate not in chosen:
            chosen.append(candidate)
    return chosen[:2]


def build() -> dict[str, bytes]:
    """Every generated file: relative path → bytes."""
    site, posts, _ = wp.load_source(SOURCE)
    theme = theme_for(site)
    split = assign_sources(posts)
    live = wp.live(posts)
    newest = list(reversed(live))
    last_build = wp.last_build(posts)
    files: dict[str, bytes] = {}
    recent = newest[:5]
    for post in live:
        files[post.path.strip("/") + "/index.html"] = theme.article_page(post, related_posts(post, posts), recent)

    # The home page and its pages, and the review archive (also what /category/reviews/feed/ answers).
    total = -(-len(newest) // site.posts_per_page)
    for n in range(1, total + 1):
        chunk = newest[(n - 1) * site.posts_per_page : n * site.posts_per_page]
        files[wp.page_path(n).lstrip("/") + "index.html"] = theme.listing_page(n, total, chunk, recent)
    reviews = [p for p in newest if p.section == "Reviews"]
    files[REVIEWS.strip("/") + "/index.html"] = theme.listing_page(
        1, 1, reviews, recent, base_path=REVIEWS, title=f"Reviews Archives{site.title_suffix}"
    )
    files[ABOUT.strip("/") + "/index.html"] = theme.simple_page(
        ABOUT,
        "About Us",
        "TechStory covers technology, startups and business in India and around the world.",
        "<p>TechStory covers technology, startups and business in India and around the world since 2015.</p>",
    )

    # Feed and REST API.
    files["feed/index.xml"] = wp.feed_of(site, posts)
    files["comments/feed/index.xml"] = wp.comments_feed(site, last_build)
    api_pages = wp.rest_pages(site, live, PER_PAGE)
    for page in api_pages:
        files[API_FILE.format(page.number)] = page.body

    # Sitemaps: the loop, the plain, gzip and truncated post sitemaps, pages and categories.
    home = url_entry(f"{BASE}/", last_build)
    files["post-sitemap.xml"] = wp.yoast_urlset(
        [home] + [url_entry(p.url, p.modified, p.image["url"]) for p in split["plain"]]
    )
    files["post-sitemap2.xml.gz"] = gzip_sitemap(split["gzipped"])
    files["post-sitemap3.xml"] = truncated_sitemap(split["truncated"])
    files["page-sitemap.xml"] = wp.yoast_urlset([url_entry(BASE + ABOUT, last_build)])
    files["category-sitemap.xml"] = wp.yoast_urlset(
        [url_entry(f"{BASE}/category/{c}/", last_build) for c in site.categories]
    )
    files["sitemap-archive.xml"] = sitemap_index(
        [(f"{BASE}/sitemap_index.xml", last_build), (f"{BASE}/post-sitemap.xml", last_build)]
    )
    files["sitemap_index.xml"] = wp.yoast_index(
        [
            ("/sitemap_index.xml", last_build),
            ("/post-sitemap.xml", last_build),
            ("/post-sitemap2.xml.gz", last_build),
            ("/post-sitemap3.xml", last_build),
            ("/page-sitemap.xml", last_build),
            ("/category-sitemap.xml", last_build),
            ("/sitemap-archive.xml", last_build),
        ]
    )
    files["robots.txt"] = (
        f"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\nSitemap: {BASE}/sitemap_index.xml\n"
    ).encode()

    files["_routes.yaml"] = routes(posts, api_pages)
    return serve_pictures(files, IMAGE_PREFIXES, wp.pictures(site, posts))

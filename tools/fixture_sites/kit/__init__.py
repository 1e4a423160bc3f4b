"""The fixture-site kit: what the builders of the synthesized fixture sites share.

- :mod:`.common` — escaping, dates (ISO, RFC-822, Zulu), slugs, sitemap/feed writers, and
  writing the generated files (atomically, or checking that the committed ones are current).
- :mod:`.wordpress` — a WordPress + Yoast SEO site from a site source (``<key>.yaml``): posts and
  permalinks, Yoast meta tags and JSON-LD ``@graph``, ``/feed/``, Yoast sitemaps, the REST API
  (``/wp-json/wp/v2/posts?_embed``) and ``_routes.yaml``.
- :mod:`.themes` — the HTML around it: ``underscores`` (TechNode's ``entry-*``/``site-*``
  markup) and ``valenti`` (the ``cb-*`` markup of TechStory's theme).

A site's builder (``tools/fixture_sites/<key>.py``) loads its ``<key>.yaml``, calls these and adds
what is particular to the site (extra pages, hostile sources). Stdlib + PyYAML only.
See ``tools/fixture_sites/README.md``.
"""

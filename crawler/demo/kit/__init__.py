"""The fixture-site kit: what the ``_build.py`` of every synthesized fixture site shares.

- :mod:`.common` — escaping, dates (ISO, RFC-822, Zulu), slugs, sitemap/feed writers, the
  project's topic vocabulary and section rules, ``expected.yaml`` writing and the builder
  command line (``--check``, ``--out``, atomic writes).
- :mod:`.wordpress` — a WordPress + Yoast SEO site from a ``_site.yaml``: posts and permalinks,
  Yoast meta tags and JSON-LD ``@graph``, ``/feed/``, Yoast sitemaps, the REST API
  (``/wp-json/wp/v2/posts?_embed``), ``_routes.yaml`` and the documents of ``expected.yaml``.
- :mod:`.themes` — the HTML around it: ``underscores`` (TechNode's ``entry-*``/``site-*``
  markup) and ``valenti`` (the ``cb-*`` markup of TechStory's theme).

A site's ``_build.py`` loads its ``_site.yaml``, calls these, adds what is particular to the
site (extra pages, hostile sources, the header of ``expected.yaml``) and hands the files to
:func:`.common.run`. Stdlib + PyYAML only, so a builder runs anywhere the project runs.
See ``crawler/demo/sites/README.md``.
"""

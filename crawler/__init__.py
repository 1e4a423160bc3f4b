"""News crawler: provider discovery → extraction → item pipelines → front-matter documents."""

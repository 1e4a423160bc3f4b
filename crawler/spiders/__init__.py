"""Spiders. Most are generated from the provider registry (see crawler.spiderloader)."""

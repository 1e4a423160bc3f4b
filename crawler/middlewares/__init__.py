"""Downloader middlewares: patient retries and the address guard."""

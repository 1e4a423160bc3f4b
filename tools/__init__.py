"""Development tools of the project: run from the repository, never imported by the crawler."""

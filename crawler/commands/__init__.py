"""Project commands for the scrapy CLI (COMMANDS_MODULE)."""

"""Feeds in, vault pages out: sources, fetching, parsing, summarising, linking."""

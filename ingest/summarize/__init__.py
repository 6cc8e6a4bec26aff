"""Summarizers turn a raw post into the sections of a summary note."""

from ingest.summarize.base import Summary, SummaryContext, RelatedNote, Summarizer

__all__ = ["Summary", "SummaryContext", "RelatedNote", "Summarizer"]

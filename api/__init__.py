"""The HTTP API, web pages, CLI and settings assembly."""

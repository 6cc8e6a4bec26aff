"""Server-rendered web pages: the wiki in a browser, served by the API process."""

"""The web pages: a browser interface over the same HTTP API and its rules."""

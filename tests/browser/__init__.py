"""Helpers for the widget's browser tests: Chromium, a host site and the server."""

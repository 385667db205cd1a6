"""Rendering: the one Jinja2 environment, text from HTML, and PDF."""

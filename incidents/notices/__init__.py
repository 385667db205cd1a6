"""Notices: notice generation, elements, personal page, SMS segments, announcement, reports."""

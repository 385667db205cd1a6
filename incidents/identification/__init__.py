"""Identification: affected records + user directory -> one AffectedSubject per person."""

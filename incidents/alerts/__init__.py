"""Alerts to responders through Apprise: pages for new breaches and deadline warnings."""

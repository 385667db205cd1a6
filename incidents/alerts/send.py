"""Alerts to responders through Apprise (chat, e-mail): pages for new breaches, deadline
warnings. The URLs hold tokens, so no message here ever names them."""

from __future__ import annotations

from incidents.privacy import redact


def send(urls: list[str], title: str, body: str, *, what: str = "alert") -> str | None:
    """None when every target accepted the message, else why not."""
    import apprise

    targets = apprise.Apprise()
    for url in urls:
        if not targets.add(url):
            return f"a {what} URL is not a valid Apprise URL"
    try:
        ok = targets.notify(title=title, body=body)
    except Exception as error:  # Apprise plugins raise their transport errors
        return redact(f"{type(error).__name__}: {error}")[:500]
    return None if ok else "Apprise reported a failed notification"

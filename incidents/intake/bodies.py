"""Request bodies read as they stream in, with a limit per route: a request is refused as soon
as it passes its limit, never after it has been read whole."""

from __future__ import annotations

from starlette.requests import Request

from incidents.exceptions import BodyTooLarge


def declared_too_large(request: Request, limit: int) -> bool:
    declared = request.headers.get("content-length", "")
    # ASCII digits only ("²".isdigit() is true and int() refuses it); a huge number is too large.
    return declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit)


async def read_body(request: Request, limit: int) -> bytes:
    """The body, or BodyTooLarge as soon as the declared or streamed size passes `limit`."""
    if declared_too_large(request, limit):
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)

"""SMS length as the carriers count it: GSM-7 septets or UCS-2 code units, split into segments.

A message that fits the GSM 03.38 default alphabet (with its extension table, whose characters
take two septets) is sent as GSM-7: 160 septets in one segment, 153 per segment once it is split
(the user-data header takes the rest). Any other character makes the whole message UCS-2: 70
UTF-16 code units in one segment, 67 per segment when split. An escape pair (GSM-7) or a
surrogate pair (UCS-2) is never split across two segments, so a segment may carry one unit less;
counting character by character reproduces that exactly. National shift tables are not used:
Twilio does not send with them by default.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final, Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 default alphabet (3GPP TS 23.038 § 6.2.1), one septet each.
GSM7_BASIC: Final[frozenset[str]] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table (§ 6.2.1.1): ESC + one septet, so two septets each.
GSM7_EXTENDED: Final[frozenset[str]] = frozenset("\f^{}\\[~]|€")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
MULTI = {"GSM-7": 153, "UCS-2": 67}


def encoding(text: str) -> Encoding:
    """GSM-7 when every character is in the default alphabet or its extension, else UCS-2."""
    return "GSM-7" if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text) else "UCS-2"


def units(text: str) -> list[int]:
    """The size of each character in its encoding's units (septets or UTF-16 code units)."""
    if encoding(text) == "GSM-7":
        return [2 if c in GSM7_EXTENDED else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def length(text: str) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole message."""
    return sum(units(text))


@lru_cache(maxsize=1024)  # a notice text is counted once per message it goes out in
def segments(text: str) -> int:
    """How many SMS segments the message takes (0 for an empty message)."""
    sizes = units(text)
    if not sizes:
        return 0
    kind = encoding(text)
    if sum(sizes) <= SINGLE[kind]:
        return 1
    limit, count, used = MULTI[kind], 1, 0
    for size in sizes:
        if used + size > limit:
            count, used = count + 1, 0
        used += size
    return count


def fits(text: str, *, max_segments: int = 2) -> bool:
    return segments(text) <= max_segments

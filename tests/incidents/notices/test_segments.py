from hypothesis import given
from hypothesis import strategies as st

from incidents.notices.segments import encoding, length, segments


def test_gsm7_boundaries() -> None:
    assert segments("") == 0
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2
    assert segments("a" * 306) == 2 and segments("a" * 307) == 3
    assert encoding("Grüße, ¿qué tal? @£$") == "GSM-7"


def test_extension_characters_take_two_septets_and_are_not_split() -> None:
    assert length("€") == 2 and segments("€" * 80) == 1 and segments("€" * 81) == 2
    # 152 plain septets then an escape pair: the pair moves to the next segment.
    assert segments("a" * 152 + "€" + "a" * 152) == 3


def test_ucs2_boundaries_and_surrogate_pairs() -> None:
    assert encoding("中文") == "UCS-2" and encoding("ça") == "UCS-2"
    assert segments("中" * 70) == 1 and segments("中" * 71) == 2 and segments("中" * 134) == 2
    assert segments("中" * 135) == 3
    assert length("😀") == 2 and segments("😀" * 35) == 1 and segments("😀" * 36) == 2
    # 66 units then an emoji (2 units) would straddle 67: it goes whole into segment 2.
    assert segments("中" * 66 + "😀" + "中" * 66) == 3


@given(st.text(max_size=400))
def test_segments_never_exceed_the_naive_upper_bound(text: str) -> None:
    n = segments(text)
    per = 153 if encoding(text) == "GSM-7" else 67
    assert n == 0 if not text else n >= 1
    assert n <= max(1, -(-length(text) // (per - 1)))

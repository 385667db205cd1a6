import json

import pytest

from incidents import payload
from incidents.exceptions import InputError

VALID = {
    "external_id": "SIEM-1", "title": "t", "detected_at": "2026-11-20T08:00:00Z",
    "data_categories": ["email", "name"],
}


def test_minimal_payload_is_accepted_with_defaults():
    parsed = payload.parse(VALID)
    assert parsed.aware_at is None
    assert parsed.breach_types == ["confidentiality"]
    assert parsed.data_categories == ["email", "name"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"data_categories": ["email", "shoe_size"]}, "data_categories"),
        ({"breach_types": ["theft"]}, "breach_types"),
        ({"cause": "aliens"}, "cause"),
        ({"detected_at": "2026-11-20T08:00:00"}, "detected_at"),
        ({"colour": "red"}, "colour"),
        ({"encryption": {"encrypted": "yes"}}, "encryption.encrypted"),
        ({"occurred_from": "2026-11-20T08:00:00Z", "occurred_to": "2026-11-19T08:00:00Z"}, "occurred_to"),
        ({"external_id": "SIEM-1\x1b[2J\x1b[31m"}, "external_id"),
        ({"title": "Bucket\nexposed"}, "title"),
        ({"related_to": "SIEM-0\x9b1m"}, "related_to"),
    ],
)
def test_bad_values_name_the_field(change, field):
    with pytest.raises(InputError) as error:
        payload.parse({**VALID, **change})
    assert error.value.field == field
    assert repr(field) in str(error.value)


@pytest.mark.parametrize("missing", ["external_id", "title", "detected_at", "data_categories"])
def test_required_fields(missing):
    data = {k: v for k, v in VALID.items() if k != missing}
    with pytest.raises(InputError, match=missing):
        payload.parse(data)


def test_malformed_file_is_an_input_error(tmp_path):
    path = tmp_path / "incident.json"
    path.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        payload.load(path)
    path.write_text(json.dumps([VALID]))
    with pytest.raises(InputError, match="JSON object"):
        payload.load(path)

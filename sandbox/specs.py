"""Request-body validation against the providers' official OpenAPI descriptions (./specs).

The request schemas are validated with `jsonschema` directly (OpenAPI 3.1 is JSON Schema 2020-12;
the 3.0 request schemas used here are plain Draft 4): it is light to import, gives the exact path
of every error, and lets form bodies be cast by the schema's own types first.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

SPEC_DIR = Path(__file__).resolve().parent / "specs"
SENDGRID_SPEC = SPEC_DIR / "sendgrid_mail_v3.json"
TWILIO_SPEC = SPEC_DIR / "twilio_api_v2010_messages_calls.json"
LOB_SPEC = SPEC_DIR / "lob_letters.json"

_MESSAGES_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
_CALLS_PATH = "/2010-04-01/Accounts/{AccountSid}/Calls.json"
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class FieldError:
    """One schema violation: where (`path`), which keyword failed and with what limit."""

    path: tuple[str | int, ...]
    keyword: str
    limit: Any
    detail: str = ""

    @property
    def field(self) -> str:
        return ".".join(str(p) for p in self.path)

    @property
    def name(self) -> str:
        """The innermost property name (for form parameters: the parameter)."""
        for part in reversed(self.path):
            if isinstance(part, str):
                return part
        return ""


class BodySchema:
    """A JSON Schema taken from inside an OpenAPI document, `$ref`s resolved in that document."""

    def __init__(self, document: dict[str, Any], pointer: str, *, openapi_31: bool) -> None:
        spec = DRAFT202012 if openapi_31 else DRAFT4
        uri = "urn:breachflow:sandbox:spec"
        registry: Registry[Any] = Registry().with_resource(
            uri, Resource.from_contents(document, default_specification=spec)
        )
        validator_cls = jsonschema.Draft202012Validator if openapi_31 else jsonschema.Draft4Validator
        self.schema = _resolve_pointer(document, pointer)
        self._validator = validator_cls(
            {"$ref": f"{uri}#{pointer}"},
            registry=registry,
            format_checker=validator_cls.FORMAT_CHECKER,
        )
        # Validators lazily compile `$ref`s; one lock keeps the first concurrent requests safe.
        self._lock = threading.Lock()

    def errors(self, instance: object) -> list[FieldError]:
        with self._lock:
            found = list(self._validator.iter_errors(instance))
        return _field_errors(found)


@dataclass(frozen=True)
class FormSchema:
    """A form-encoded operation: the JSON Schema plus how to cast each string parameter."""

    body: BodySchema
    properties: Mapping[str, Mapping[str, Any]]
    conditional: tuple[tuple[str, ...], ...]

    def parse(self, form: Mapping[str, list[str]]) -> tuple[dict[str, Any], list[FieldError]]:
        """Cast the raw form by the schema's types, then validate; unknown parameters are kept
        as strings (Twilio ignores them)."""
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        for name, raw in form.items():
            prop = self.properties.get(name, {})
            try:
                values[name] = _cast(prop, raw)
            except ValueError:
                errors.append(FieldError((name,), "type", prop.get("type"), "cannot be cast"))
        if errors:
            return values, errors
        return values, self.body.errors(values)


@cache
def sendgrid_mail_send_schema() -> BodySchema:
    document = _load(SENDGRID_SPEC)
    body = document["components"]["requestBodies"]["PostMailSend"]
    schema = body["content"]["application/json"]["schema"]
    # Spec defect: the root `custom_args` is typed "string" although the API takes an object
    # (as in each personalization); validate it as an object, values checked in code.
    schema["properties"]["custom_args"] = {"type": "object"}
    pointer = "/components/requestBodies/PostMailSend/content/application~1json/schema"
    return BodySchema(document, pointer, openapi_31=True)


@cache
def twilio_form_schema(resource: str) -> FormSchema:
    """`resource` is "Messages" or "Calls"."""
    document = _load(TWILIO_SPEC)
    path = {"Messages": _MESSAGES_PATH, "Calls": _CALLS_PATH}[resource]
    operation = document["paths"][path]["post"]
    escaped = path.replace("~", "~0").replace("/", "~1")
    pointer = f"/paths/{escaped}/post/requestBody/content/{_FORM.replace('/', '~1')}/schema"
    body = BodySchema(document, pointer, openapi_31=False)
    properties = {name: _deref(document, prop) for name, prop in body.schema.get("properties", {}).items()}
    groups = operation.get("x-twilio", {}).get("conditional", [])
    conditional = tuple(tuple(_param_name(properties, g) for g in group) for group in groups)
    return FormSchema(body, properties, conditional)


@cache
def lob_letter_schema() -> BodySchema:
    """The body of `POST /v1/letters` (OpenAPI 3.0: Draft 4 plus `nullable`)."""
    document = _load(LOB_SPEC)
    schemas = document["components"]["schemas"]
    # Spec defects: `oneOf` where the API means `anyOf`. A Canadian address (city, province and
    # post code) matches both the US and the international inline address, and an
    # international one with a city, a state and a post code both of the alternatives that
    # ask for (city and state) or a post code; Lob takes either.
    schemas["inline_address"]["anyOf"] = schemas["inline_address"].pop("oneOf")
    intl = schemas["inline_address_intl"]["allOf"][2]
    intl["anyOf"] = intl.pop("oneOf")
    pointer = "/components/schemas/letter_editable"
    return BodySchema(document, pointer, openapi_31=False)


@cache
def twilio_account_sid_pattern() -> str:
    document = _load(TWILIO_SPEC)
    parameters = document["paths"][_MESSAGES_PATH]["post"]["parameters"]
    account = next(p for p in parameters if p["name"] == "AccountSid")
    pattern: str = account["schema"]["pattern"]
    return pattern


_load_lock = threading.Lock()


def _load(path: Path) -> dict[str, Any]:
    # A private deep copy per caller: the SendGrid fix above must not leak into other users.
    with _load_lock:
        return copy.deepcopy(_read(path))


@cache
def _read(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _resolve_pointer(document: Mapping[str, Any], pointer: str) -> dict[str, Any]:
    node: Any = document
    for token in pointer.lstrip("/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    result: dict[str, Any] = node
    return result


def _deref(document: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        return _resolve_pointer(document, ref[1:])
    return schema


def _param_name(properties: Mapping[str, Any], snake: str) -> str:
    """Map the extension's snake_case names (`messaging_service_sid`) to form names."""
    wanted = snake.replace("_", "").lower()
    return next((name for name in properties if name.lower() == wanted), snake)


def _cast(prop: Mapping[str, Any], raw: list[str]) -> Any:
    kind = prop.get("type")
    if kind == "array":
        items = prop.get("items", {})
        return [_cast_one(items.get("type"), value) for value in raw]
    return _cast_one(kind, raw[0])


def _cast_one(kind: object, value: str) -> Any:
    if kind == "integer":
        return int(value.strip())
    if kind == "number":
        return float(value.strip())
    if kind == "boolean":
        lowered = value.strip().lower()
        if lowered not in ("true", "false"):
            raise ValueError(value)
        return lowered == "true"
    return value


def _field_errors(found: list[jsonschema.ValidationError]) -> list[FieldError]:
    errors: list[FieldError] = []
    for error in sorted(found, key=lambda e: [str(p) for p in e.absolute_path]):
        path = tuple(error.absolute_path)
        keyword = str(error.validator)
        if keyword == "required" and isinstance(error.instance, Mapping):
            for missing in error.validator_value:
                if missing not in error.instance:
                    errors.append(FieldError((*path, missing), "required", True))
            continue
        errors.append(FieldError(path, keyword, error.validator_value))
    return _unique(errors)


def _unique(errors: list[FieldError]) -> list[FieldError]:
    seen: set[tuple[tuple[str | int, ...], str]] = set()
    unique = []
    for error in errors:
        key = (error.path, error.keyword)
        if key not in seen:
            seen.add(key)
            unique.append(error)
    return unique

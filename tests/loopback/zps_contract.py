"""ZPS's contract (docs/zhep/zps.openapi.yaml) read for tests: the request and response
bodies a path takes, checked against its JSON Schema (the subset the file uses: no
validator library is installed)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "zhep" / "zps.openapi.yaml"

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


@cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CONTRACT.read_text())
    return loaded


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _type_ok(value: Any, names: str | list[str]) -> bool:
    for name in [names] if isinstance(names, str) else names:
        if name in ("integer", "number") and isinstance(value, bool):
            continue
        if isinstance(value, _TYPES[name]):
            return True
    return False


def _format_ok(value: str, fmt: str) -> bool:
    try:
        if fmt == "uuid":
            uuid.UUID(value)
        elif fmt == "date-time":
            return datetime.fromisoformat(value).tzinfo is not None and "T" in value
    except ValueError:
        return False
    return True


def _string_problems(value: str, schema: dict[str, Any], where: str) -> list[str]:
    problems = []
    if len(value) < schema.get("minLength", 0):
        problems.append(f"{where}: shorter than {schema['minLength']}")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        problems.append(f"{where}: longer than {schema['maxLength']}")
    if "pattern" in schema and re.search(schema["pattern"], value) is None:
        problems.append(f"{where}: does not match {schema['pattern']}")
    if "format" in schema and not _format_ok(value, schema["format"]):
        problems.append(f"{where}: not a {schema['format']}")
    return problems


def _object_problems(value: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    problems = [
        f"{where}: {name} is required" for name in schema.get("required", ()) if name not in value
    ]
    properties = schema.get("properties", {})
    for name, item in value.items():
        if name in properties:
            problems += problems_of(item, properties[name], f"{where}.{name}")
        elif schema.get("additionalProperties") is False:
            problems.append(f"{where}: {name} is not in the contract")
    return problems


def problems_of(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """What in ``value`` breaks ``schema`` (empty: it follows it)."""
    schema = _resolve(schema)
    if "type" in schema and not _type_ok(value, schema["type"]):
        return [f"{where}: {value!r} is not {schema['type']}"]
    problems: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str):
        problems += _string_problems(value, schema, where)
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int) and "minimum" in schema and value < schema["minimum"]:
        problems.append(f"{where}: below {schema['minimum']}")
    elif isinstance(value, dict):
        problems += _object_problems(value, schema, where)
    elif isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 1 << 30):
            problems.append(f"{where}: {len(value)} items")
        for index, item in enumerate(value):
            problems += problems_of(item, schema.get("items", {}), f"{where}[{index}]")
    return problems


def request_schema(path: str) -> dict[str, Any]:
    operation = document()["paths"][path]["post"]
    schema: dict[str, Any] = operation["requestBody"]["content"]["application/json"]["schema"]
    return schema


def response_schema(path: str, status: int) -> dict[str, Any]:
    """The body schema of ``status`` (or its ``5XX`` range) at ``path``."""
    responses = document()["paths"][path]["post"]["responses"]
    answer = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    if answer is None:
        raise KeyError(f"{path} does not answer {status}")
    answer = _resolve(answer)
    content = answer["content"]
    media = content.get("application/json") or content["application/problem+json"]
    schema: dict[str, Any] = media["schema"]
    return schema


def required_headers(path: str) -> list[str]:
    parameters = document()["paths"][path]["post"].get("parameters", [])
    return [p["name"] for p in parameters if p["in"] == "header" and p.get("required")]

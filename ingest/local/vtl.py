"""API Gateway's mapping-template variables (`$input`, `$util`, `$context`), for rendering its Velocity templates
locally with airspeed (a Python Velocity engine written for AWS parity).

Implemented as API Gateway's "Variables for data transformations" reference describes them:

- `$input.body` the raw payload; `$input.json(path)` the JSON text at a JSONPath (numbers and strings exactly as
  JSON writes them); `$input.path(path)` the value itself (maps, lists, strings, numbers) for use in VTL;
  `$input.params()` every request parameter (`path`, `querystring`, `header`), `$input.params(name)` one, looked
  up in that order;
- `$util.escapeJavaScript` (JavaScript string rules: quotes, backslash, slash, control characters, and every
  character outside ASCII as `\\uXXXX`), `$util.base64Encode` / `base64Decode` (of the UTF-8 text),
  `$util.parseJson`, `$util.urlEncode` / `urlDecode`;
- `$context`: a dict the caller fills (apiId, stage, resourcePath, requestId, identity, error, ...), plus
  `responseOverride` (`status`, `header`) that response templates may set and the caller then applies.

JSONPath is the subset templates use: `$`, `.name`, `[n]`, `['name']`. A path that selects nothing gives `null`
(`json`) or None (`path`); the endpoint's templates only ask for paths its request model guarantees.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import airspeed

_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['([^']*)'\]")
_MISSING = object()


def select(document: Any, path: str) -> Any:
    """The value at `path` in `document`, or None when the path selects nothing."""
    if not path.startswith("$"):
        raise ValueError(f"unsupported JSONPath {path!r}: it must start with '$'")
    value, position = document, 1
    while position < len(path):
        step = _STEP.match(path, position)
        if step is None:
            raise ValueError(f"unsupported JSONPath {path!r} at {path[position:]!r}")
        position = step.end()
        name, index, quoted = step.groups()
        value = _child(value, name if name is not None else quoted, int(index) if index is not None else None)
        if value is _MISSING:
            return None
    return value


def _child(value: Any, name: str | None, index: int | None) -> Any:
    if index is not None:
        return value[index] if isinstance(value, list) and index < len(value) else _MISSING
    return value.get(name, _MISSING) if isinstance(value, dict) else _MISSING


class ApiGatewayInput:
    """`$input`: the payload being transformed (the request's, or the integration response's) and the method
    request's parameters."""

    def __init__(self, body: str, params: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.body = body
        self._params = {kind: dict((params or {}).get(kind, {})) for kind in ("path", "querystring", "header")}
        self._document: Any = _MISSING

    def _parsed(self) -> Any:
        if self._document is _MISSING:
            self._document = json.loads(self.body) if self.body.strip() else None
        return self._document

    def json(self, path: str) -> str:
        return json.dumps(select(self._parsed(), path), ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    def path(self, path: str) -> Any:
        return select(self._parsed(), path)

    def params(self, name: str | None = None) -> Any:
        if name is None:
            return self._params
        for kind in ("path", "querystring", "header"):
            if name in self._params[kind]:
                return self._params[kind][name]
        return None


class ApiGatewayUtil:
    """`$util`. Method names are API Gateway's (camelCase), as templates call them."""

    @staticmethod
    def escapeJavaScript(text: object) -> str:  # noqa: N802 - API Gateway's name
        return escape_javascript("" if text is None else str(text))

    @staticmethod
    def base64Encode(text: object) -> str:  # noqa: N802
        return base64.b64encode(str(text).encode("utf-8")).decode("ascii")

    @staticmethod
    def base64Decode(text: object) -> str:  # noqa: N802
        return base64.b64decode(str(text)).decode("utf-8")

    @staticmethod
    def parseJson(text: object) -> Any:  # noqa: N802
        return json.loads(str(text))

    @staticmethod
    def urlEncode(text: object) -> str:  # noqa: N802
        return quote_plus(str(text))

    @staticmethod
    def urlDecode(text: object) -> str:  # noqa: N802
        return unquote_plus(str(text))


_JS_ESCAPES = {"'": "\\'", '"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\n": "\\n", "\t": "\\t"}
_JS_ESCAPES.update({"\f": "\\f", "\r": "\\r"})


def escape_javascript(text: str) -> str:
    """Java's `StringEscapeUtils.escapeJavaScript`, which API Gateway uses: per UTF-16 code unit, so a character
    outside the BMP becomes a surrogate pair of `\\uXXXX` escapes (upper-case hex)."""
    out = []
    units = text.encode("utf-16-be", "surrogatepass")
    for offset in range(0, len(units), 2):
        unit = int.from_bytes(units[offset : offset + 2], "big")
        char = chr(unit)
        if char in _JS_ESCAPES:
            out.append(_JS_ESCAPES[char])
        elif unit < 32 or unit > 0x7F:
            out.append(f"\\u{unit:04X}")
        else:
            out.append(char)
    return "".join(out)


@dataclass
class Rendered:
    """A template's output and what it asked API Gateway to override in the response."""

    body: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=64)
def _compiled(template: str) -> airspeed.Template:
    return airspeed.Template(template)


def render(template: str, *, input: ApiGatewayInput, context: Mapping[str, Any]) -> Rendered:  # noqa: A002
    """Render `template` as API Gateway would; `context` becomes `$context` (a copy, with `responseOverride`)."""
    namespace_context = json.loads(json.dumps(context))
    override: dict[str, Any] = {"status": None, "header": {}}
    namespace_context["responseOverride"] = override
    body = _compiled(template).merge({"input": input, "util": ApiGatewayUtil(), "context": namespace_context})
    status = override.get("status")
    return Rendered(
        body=body,
        status=int(status) if status not in (None, "") else None,
        headers={name: str(value) for name, value in override["header"].items()},
    )

"""API Gateway's mapping-template variables as its reference describes them, checked on their own."""

from __future__ import annotations

import base64
import json

import pytest

from ingest.local.vtl import ApiGatewayInput, ApiGatewayUtil, escape_javascript, render, select

BODY = {"records": [{"data": {"high": 1.5, "name": "é"}}, {"data": {}}], "n": 0, "o": {"a b": [True, None]}}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$", BODY),
        ("$.records[0].data.high", 1.5),
        ("$.records[1].data", {}),
        ("$.o['a b'][0]", True),
        ("$.n", 0),
        ("$.records[2]", None),
        ("$.missing.deeper", None),
        ("$.n.x", None),
    ],
)
def test_jsonpath_selects_like_the_templates_need(path, value):
    assert select(BODY, path) == value


@pytest.mark.parametrize("path", ["records", "$..high", "$.records[*]", "$.records[?(@.x)]"])
def test_unsupported_jsonpath_is_an_error_not_a_guess(path):
    with pytest.raises(ValueError, match="unsupported JSONPath"):
        select(BODY, path)


def test_input_json_returns_json_text_and_path_returns_values():
    variables = ApiGatewayInput(json.dumps(BODY))
    assert variables.json("$.records[0].data") == '{"high":1.5,"name":"é"}'
    assert variables.json("$.records[0].data.name") == '"é"'
    assert variables.json("$.missing") == "null"
    assert variables.path("$.records[0].data.high") == 1.5
    assert variables.body == json.dumps(BODY)


def test_params_look_in_path_querystring_then_header():
    params = {"path": {"id": "p"}, "querystring": {"id": "q", "page": "2"}, "header": {"Origin": "o", "page": "h"}}
    variables = ApiGatewayInput("{}", params)
    assert (variables.params("id"), variables.params("page"), variables.params("Origin")) == ("p", "2", "o")
    assert variables.params("absent") is None
    assert variables.params()["header"] == {"Origin": "o", "page": "h"}


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ('He didn\'t say, "Stop!"', 'He didn\\\'t say, \\"Stop!\\"'),
        ("a/b\\c", "a\\/b\\\\c"),
        ("\b\f\n\r\t", "\\b\\f\\n\\r\\t"),
        ("\x00\x01\x1f\x7f", "\\u0000\\u0001\\u001F\x7f"),
        ("é中", "\\u00E9\\u4E2D"),
        ("😀", "\\uD83D\\uDE00"),
        ("$context #set", "$context #set"),
    ],
)
def test_escape_javascript_is_javas_string_escape_utils(text, escaped):
    assert escape_javascript(text) == escaped
    assert ApiGatewayUtil.escapeJavaScript(text) == escaped


@pytest.mark.parametrize("text", ["plain", "é 中 😀", "quote \" ' \\ /", "\x00 control"])
def test_escaped_text_with_single_quotes_restored_is_a_json_string_of_the_original(text):
    template = '"$util.escapeJavaScript($input.path(\'$.v\')).replaceAll("\\\\\'","\'")"'
    body = render(template, input=ApiGatewayInput(json.dumps({"v": text})), context={}).body
    assert json.loads(body) == text


def test_base64_is_of_the_utf8_text_and_round_trips():
    assert ApiGatewayUtil.base64Encode("é") == base64.b64encode("é".encode()).decode()
    assert ApiGatewayUtil.base64Decode(ApiGatewayUtil.base64Encode("x 😀")) == "x 😀"
    assert ApiGatewayUtil.parseJson('{"a": [1]}') == {"a": [1]}
    assert ApiGatewayUtil.urlDecode(ApiGatewayUtil.urlEncode("a b&c")) == "a b&c"


def test_response_overrides_are_collected_and_the_callers_context_is_untouched():
    context = {"requestId": "r"}
    rendered = render(
        "#set($context.responseOverride.status = 429)"
        "#set($context.responseOverride.header.X-Thing = 'y')"
        "$context.requestId",
        input=ApiGatewayInput("{}"),
        context=context,
    )
    assert (rendered.body, rendered.status, rendered.headers) == ("r", 429, {"X-Thing": "y"})
    assert context == {"requestId": "r"}

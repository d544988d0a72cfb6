"""docs/openapi.yaml is a valid OpenAPI 3.1 document (npm @apidevtools/swagger-parser, installed
by scripts/test.sh), its schemas are valid JSON Schema and its examples fit them, and a real
server answers every example it shows: each request example is sent, and the answer must have the
status and the shape of the response example of the same name and fit the response's schema."""

import json
import pathlib
import subprocess
import urllib.error
import urllib.request

import jsonschema
import pytest
import yaml

from test_http_api import SERVER_BINARY
from radlabel_client.testing import LocalServer

HERE = pathlib.Path(__file__).resolve().parent
DOCUMENT_PATH = HERE.parents[1] / "docs" / "openapi.yaml"
DOCUMENT = yaml.safe_load(DOCUMENT_PATH.read_text())
METHODS = ("get", "post")


def resolved(node):
    """`node` with a local $ref (e.g. '#/components/responses/BadRequest') followed."""
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        target = DOCUMENT
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def validator(schema):
    """A JSON Schema 2020-12 validator of `schema`, with the document's $refs resolvable."""
    root = {**schema, "components": DOCUMENT["components"]}
    return jsonschema.Draft202012Validator(root, resolver=jsonschema.RefResolver.from_schema(root))


def operations():
    for path, item in DOCUMENT["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def response_examples(operation):
    """{example name: (status, media type, media object, example value)} of an operation."""
    found = {}
    for status, response in operation["responses"].items():
        for media_type, media in resolved(response).get("content", {}).items():
            for name, example in media.get("examples", {}).items():
                assert name not in found, f"example name {name} used twice"
                found[name] = (int(status), media_type, media, resolved(example)["value"])
    return found


def request_examples(operation):
    if "requestBody" not in operation:
        return {}
    media = resolved(operation["requestBody"])["content"]["application/json"]
    return {name: resolved(example)["value"] for name, example in media["examples"].items()}


EXAMPLES = [(path, method, name) for path, method, operation in operations()
            for name in response_examples(operation)]


def test_the_document_is_valid_openapi():
    validate = HERE / "validate_openapi.mjs"
    assert (HERE / "node_modules").is_dir(), "run: npm ci --prefix tests/http"
    checked = subprocess.run(["node", str(validate), str(DOCUMENT_PATH)], cwd=HERE,
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("valid: ")


def test_its_schemas_are_json_schema_and_its_examples_fit_them():
    for name, schema in DOCUMENT["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
    for path, method, operation in operations():
        answers = response_examples(operation)
        for name, request in request_examples(operation).items():
            assert name in answers, f"{method} {path} request example {name} has no answer shown"
            if answers[name][0] == 200:
                request_schema = resolved(operation["requestBody"])["content"]["application/json"]
                validator(request_schema["schema"]).validate(request)
        for name, (status, media_type, media, value) in answers.items():
            validator(media["schema"]).validate(value)
            if method == "post":
                assert name in request_examples(operation), f"{name} has no request to send"


def assert_same_shape(answer, example, where="answer"):
    """`answer` has every field of `example`, with values of the same JSON type, recursively;
    a list's items are compared with the example's item at the same place, or its last."""
    if isinstance(example, dict):
        assert isinstance(answer, dict), f"{where} is not an object"
        for key, value in example.items():
            assert key in answer, f"{where} lacks {key}"
            assert_same_shape(answer[key], value, f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(answer, list), f"{where} is not an array"
        assert bool(answer) == bool(example), f"{where}: {len(answer)} items, example {len(example)}"
        for i, item in enumerate(answer):
            assert_same_shape(item, example[min(i, len(example) - 1)], f"{where}[{i}]")
    elif isinstance(example, bool) or isinstance(example, str):
        assert type(answer) is type(example), f"{where} is {answer!r}, example {example!r}"
    else:
        assert isinstance(answer, (int, float)) and not isinstance(answer, bool), where


@pytest.fixture(scope="module")
def server():
    with LocalServer(SERVER_BINARY, []) as running:
        yield running


@pytest.mark.parametrize("path,method,name", EXAMPLES, ids=[f"{m} {p} {n}" for p, m, n in EXAMPLES])
def test_the_server_answers_each_example_as_shown(server, path, method, name):
    operation = DOCUMENT["paths"][path][method]
    status, media_type, media, expected = response_examples(operation)[name]
    data = json.dumps(request_examples(operation)[name]).encode() if method == "post" else None
    request = urllib.request.Request(f"http://{server.http_address}{path}", data=data,
                                     method=method.upper(),
                                     headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            got_status, got_type, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        got_status, got_type, body = error.code, error.headers, error.read()
    assert got_status == status, body
    assert got_type.get_content_type() == media_type
    if media_type == "application/json":
        answer = json.loads(body)
        validator(media["schema"]).validate(answer)
        assert_same_shape(answer, expected)
    else:
        assert body.decode() == expected

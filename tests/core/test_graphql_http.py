"""GraphQL over HTTP: the media type of an answer follows the request's Accept header, and
each media type has its status codes. ``application/graphql-response+json``: 200 when the
operation ran (partial data too), 400 without ``data`` for a request error, a transport
error's own 4xx. ``application/json`` (legacy clients): 200 for every well-formed request,
4xx for the others. Every answer is JSON with a typed code, on both executors."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import sys
from pathlib import Path

import httpx
import pytest
from conftest import EXECUTOR, TMP, unique

from app.graphql_http import is_request_error, negotiate_media_type, request_error_status

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import graphql_http_audit as audit

pytestmark = pytest.mark.once

GRAPHQL_RESPONSE = "application/graphql-response+json; charset=utf-8"
JSON = "application/json; charset=utf-8"
# The Accept header that asks for each media type.
ACCEPT = {GRAPHQL_RESPONSE: "application/graphql-response+json", JSON: "application/json"}
MEDIA_TYPES = list(ACCEPT)
MEDIA_IDS = ["graphql-response+json", "json"]
EXECUTORS = ["general", "compiled"]

GOOD = "query Viewer { viewer { kind } }"
# A contractor may read the viewer but not the audit trail: a field error beside data.
PARTIAL = "query Partial { viewer { kind } auditEvents(first: 1) { totalCount } }"
NODE = "query Node($id: ID!) { node(id: $id) { id } }"


@pytest.fixture
async def token(api) -> str:
    return await api.token("contractor1")


async def post(api, token: str, body: object, media: str | None, executor: str, **headers: str) -> httpx.Response:
    """POST ``body`` asking for ``media`` (None: no Accept header). ``compiled``: the
    well-formed part of the request (query and variables) is sent first, so that its text
    is a known document and the request itself goes to the compiled path, which answers it
    or hands it to the general executor."""
    h = {"Authorization": f"Bearer {token}", **headers}
    if media is not None:
        h["Accept"] = ACCEPT.get(media, media)
    if executor == "general":
        h[EXECUTOR] = "general"
    elif isinstance(body, dict) and isinstance(body.get("query"), str):
        warm = {"query": body["query"], **({"variables": body["variables"]} if isinstance(body.get("variables"), dict) else {})}
        await api.client.post("/graphql", json=warm, headers=h)
    if isinstance(body, bytes):
        return await api.client.post("/graphql", content=body, headers={"Content-Type": "application/json", **h})
    return await api.client.post("/graphql", json=body, headers=h)


def code_of(response: httpx.Response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


# -- operations that run, and documents that do not ------------------------------------


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("media", MEDIA_TYPES, ids=MEDIA_IDS)
async def test_a_good_query_answers_200_in_the_media_type_asked_for(api, token, media, executor):
    response = await post(api, token, {"query": GOOD}, media, executor)
    assert (response.status_code, response.headers["content-type"]) == (200, media)
    assert response.headers[EXECUTOR] == executor
    assert response.json()["data"] == {"viewer": {"kind": "user"}}


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("media", MEDIA_TYPES, ids=MEDIA_IDS)
async def test_field_errors_beside_data_answer_200(api, token, media, executor):
    """The operation ran: a refused field is null with its error, and the status is 200."""
    response = await post(api, token, {"query": PARTIAL}, media, executor)
    assert (response.status_code, response.headers["content-type"]) == (200, media)
    body = response.json()
    assert body["data"] == {"viewer": {"kind": "user"}, "auditEvents": None}
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["auditEvents"], "FORBIDDEN")]


# (body, code): request errors of well-formed requests. Nothing runs: there is no data.
REQUEST_ERRORS = {
    "parse failure": ({"query": "{ viewer { kind }"}, "GRAPHQL_PARSE_FAILED"),
    "validation failure": ({"query": "{ viewer { noSuchField } }"}, "GRAPHQL_VALIDATION_FAILED"),
    "variables coercion failure": ({"query": NODE, "variables": {"id": None}}, "BAD_USER_INPUT"),
    "variable of the wrong type": ({"query": NODE, "variables": {"id": ["x"]}}, "BAD_USER_INPUT"),
}


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("case", list(REQUEST_ERRORS))
async def test_a_request_error_is_400_without_data_in_graphql_response_json(api, token, case, executor):
    body, code = REQUEST_ERRORS[case]
    response = await post(api, token, body, GRAPHQL_RESPONSE, executor)
    assert (response.status_code, response.headers["content-type"]) == (400, GRAPHQL_RESPONSE)
    assert response.headers[EXECUTOR] == "general"
    answer = response.json()
    assert "data" not in answer
    assert code_of(response) == code and all("path" not in e for e in answer["errors"])


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("case", list(REQUEST_ERRORS))
async def test_a_request_error_is_200_with_null_data_in_application_json(api, token, case, executor):
    """Legacy clients read a GraphQL answer only from a 200: they get it, as before."""
    body, code = REQUEST_ERRORS[case]
    response = await post(api, token, body, JSON, executor)
    assert (response.status_code, response.headers["content-type"]) == (200, JSON)
    assert response.json()["data"] is None
    assert code_of(response) == code


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("media", MEDIA_TYPES, ids=MEDIA_IDS)
async def test_the_parse_failure_and_the_validation_failure_keep_their_codes_on_every_request_of_a_text(api, token, media, executor):
    """A cached invalid document answers the second time as the first."""
    for _ in range(2):
        parse = await post(api, token, {"query": "query { viewer { kind } } }"}, media, executor)
        validation = await post(api, token, {"query": "query Bad { viewer { kindd } }"}, media, executor)
        assert (code_of(parse), code_of(validation)) == ("GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED")
        status = 400 if media == GRAPHQL_RESPONSE else 200
        assert [parse.status_code, validation.status_code] == [status, status]


@pytest.mark.parametrize("media", MEDIA_TYPES, ids=MEDIA_IDS)
async def test_an_operation_that_cannot_be_chosen_is_a_request_error(api, token, media):
    response = await post(api, token, {"query": GOOD, "operationName": "Other"}, media, "general", **{"Accept-Language": "en"})
    assert (response.status_code, response.headers["content-type"]) == (400 if media == GRAPHQL_RESPONSE else 200, media)
    assert response.json()["errors"] == [
        {
            "message": 'The operation to run cannot be determined (operationName: "Other").',
            "extensions": {"code": "OPERATION_RESOLUTION_FAILURE"},
        }
    ]


# -- requests that are not well-formed: 4xx in both media types ----------------------------


MALFORMED = {
    "missing query": {"variables": {}},
    "query of the wrong type": {"query": 7},
    "variables of the wrong type": {"query": GOOD, "variables": [7]},
    "operationName of the wrong type": {"query": GOOD, "operationName": {"name": "Viewer"}},
    "extensions of the wrong type": {"query": GOOD, "extensions": "yes"},
    "a batch (batching is off)": [{"query": GOOD}, {"query": GOOD}],
    "a body that is not JSON": b'{"query": "{ viewer { kind } }"',
}


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("media", MEDIA_TYPES, ids=MEDIA_IDS)
@pytest.mark.parametrize("case", list(MALFORMED))
async def test_a_request_that_is_not_well_formed_is_400_with_a_code(api, token, case, media, executor):
    """The compiled path hands such a request to the general executor even when its query
    is a known document (a string ``extensions`` next to a compiled query once ran)."""
    response = await post(api, token, MALFORMED[case], media, executor)
    assert (response.status_code, response.headers["content-type"]) == (400, media)
    assert code_of(response) == "BAD_REQUEST"
    assert "data" not in response.json()


@pytest.mark.parametrize("media", MEDIA_TYPES, ids=MEDIA_IDS)
async def test_a_mutation_over_get_is_405_allowing_post(api, token, media):
    response = await api.client.get(
        "/graphql",
        params={"query": "mutation { logout { revoked } }"},
        headers={"Authorization": f"Bearer {token}", "Accept": ACCEPT[media]},
    )
    assert (response.status_code, response.headers["content-type"], response.headers["allow"]) == (405, media, "POST")
    assert code_of(response) == "MUTATION_OVER_GET"
    # A query over GET is fine, in either media type.
    query = await api.client.get("/graphql", params={"query": GOOD}, headers={"Authorization": f"Bearer {token}", "Accept": ACCEPT[media]})
    assert (query.status_code, query.headers["content-type"], query.json()["data"]) == (200, media, {"viewer": {"kind": "user"}})
    invalid = await api.client.get("/graphql", params={"query": "{ viewer { kindd } }"}, headers={"Accept": ACCEPT[media]})
    assert (invalid.status_code, invalid.headers["content-type"]) == (400 if media == GRAPHQL_RESPONSE else 200, media)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
async def test_other_methods_are_405_naming_get_and_post(api, method):
    response = await api.client.request(method, "/graphql", headers={"Accept": "application/graphql-response+json"})
    assert (response.status_code, response.headers["allow"], response.headers["content-type"]) == (405, "GET, POST", GRAPHQL_RESPONSE)
    if method != "HEAD":
        assert code_of(response) == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    "content_type, status",
    [
        (None, 415),
        ("text/plain", 415),
        ("application/x-www-form-urlencoded", 415),
        ("application/graphql", 415),
        ("application/json; charset=latin1", 415),
        ("application/json; charset=UTF-8", 200),
        ("application/json;charset=utf-8", 200),
    ],
)
async def test_a_post_body_must_be_utf8_json(api, content_type, status):
    body = json.dumps({"query": "{ __typename }"}).encode()
    headers = {"Content-Type": content_type} if content_type else {}
    response = await api.client.post("/graphql", content=body, headers={"Accept": "application/graphql-response+json", **headers})
    assert (response.status_code, response.headers["content-type"]) == (status, GRAPHQL_RESPONSE)
    if status == 415:
        assert code_of(response) == "UNSUPPORTED_MEDIA_TYPE"
    else:
        assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize("media", MEDIA_TYPES, ids=MEDIA_IDS)
async def test_transport_errors_are_written_in_the_negotiated_media_type(api, app, media):
    limit = app.state.smallworks.settings.max_request_bytes
    big = await api.client.post(
        "/graphql",
        content=b'{"query": "' + b" " * limit + b'"}',
        headers={"Content-Type": "application/json", "Accept": ACCEPT[media]},
    )
    assert (big.status_code, big.headers["content-type"], code_of(big)) == (413, media, "REQUEST_TOO_LARGE")
    files = {"operations": (None, json.dumps({"query": GOOD})), "map": (None, "{}")}
    csrf = await api.client.post("/graphql", files=files, headers={"Accept": ACCEPT[media]})
    assert (csrf.status_code, csrf.headers["content-type"], code_of(csrf)) == (400, media, "CSRF_PREFLIGHT_REQUIRED")


@pytest.mark.parametrize("media", MEDIA_TYPES, ids=MEDIA_IDS)
async def test_an_unknown_persisted_query_hash(api, token, media):
    """``application/json`` clients of automatic persisted queries expect a 200 to retry
    with the text; with ``application/graphql-response+json`` an answer without data
    cannot be a 2xx, and it is a 404 (a 400 would make Apollo Client give up the protocol)."""
    digest = hashlib.sha256(f"query Unknown{media.split(';')[0][-4:]} {{ __typename }}".encode()).hexdigest()
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    response = await post(api, token, body, media, "compiled")
    assert (response.status_code, response.headers["content-type"]) == (404 if media == GRAPHQL_RESPONSE else 200, media)
    assert code_of(response) == "PERSISTED_QUERY_NOT_FOUND"


# -- Accept negotiation ------------------------------------------------------------------


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize(
    "accept",
    ["text/html", "application/xml, text/plain;q=0.5", "application/graphql-response+json;q=0", "application/json; charset=latin1"],
)
async def test_an_accept_header_allowing_neither_media_type_is_406(api, token, accept, executor):
    response = await post(api, token, {"query": GOOD}, accept, executor, **{"Accept-Language": "en"})
    assert (response.status_code, response.headers["content-type"]) == (406, JSON)
    assert response.json() == {
        "errors": [
            {
                "message": "The Accept header must allow application/graphql-response+json or application/json.",
                "extensions": {"code": "NOT_ACCEPTABLE"},
            }
        ]
    }
    over_get = await api.client.get("/graphql", params={"query": GOOD}, headers={"Accept": accept})
    assert (over_get.status_code, code_of(over_get)) == (406, "NOT_ACCEPTABLE")


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize(
    "accept, media",
    [
        (None, JSON),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE),
        ("application/json;q=0.9, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json;q=0.9", JSON),
        ("application/graphql-response+json;q=0.5, */*", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("text/html, application/graphql-response+json;q=0.1", GRAPHQL_RESPONSE),
    ],
)
async def test_the_highest_q_value_wins(api, token, accept, media, executor):
    """A parse failure shows the media type in the status too: 400 against 200."""
    response = await post(api, token, {"query": "{"}, accept, executor)
    assert (response.status_code, response.headers["content-type"]) == (400 if media == GRAPHQL_RESPONSE else 200, media)
    good = await post(api, token, {"query": GOOD}, accept, executor)
    assert (good.status_code, good.headers["content-type"], good.headers[EXECUTOR]) == (200, media, executor)


async def test_graphiql_is_still_served_to_a_browser(client):
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, "application/json"),
        ("", "application/json"),
        ("application/graphql-response+json", "application/graphql-response+json"),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON", "application/graphql-response+json"),
        # Named both at the same q: the newer type.
        ("application/json, application/graphql-response+json", "application/graphql-response+json"),
        ("application/graphql-response+json;q=0.8, application/json;q=0.8", "application/graphql-response+json"),
        ('application/graphql-response+json;q="0.9", application/json;q=0.8', "application/graphql-response+json"),
        ("application/graphql-response+json;q=0.8, application/json;q=0.9", "application/json"),
        # The most specific range decides a type's q.
        ("application/graphql-response+json;q=0, */*", "application/json"),
        ("application/json;q=0, application/*", "application/graphql-response+json"),
        ("application/json;q=0, */*;q=0.1", "application/graphql-response+json"),
        ("*/*;q=0.5, application/json;q=0.4", "application/graphql-response+json"),
        ("application/graphql-response+json; charset=utf-8", "application/graphql-response+json"),
        ("application/graphql-response+json; charset=utf-16, application/json;q=0.1", "application/json"),
        # Malformed elements are ignored, the others still count.
        ("garbage, application/json;q=high, application/graphql-response+json;q=0.3", "application/graphql-response+json"),
        ("application/json;q=2, application/graphql-response+json;q=0.3", "application/graphql-response+json"),
        ("text/html", None),
        ("application/json;q=0", None),
        ("garbage", None),
        ("application/json;q=0.0, application/graphql-response+json;q=0", None),
    ],
)
def test_negotiation(accept, expected):
    assert negotiate_media_type(accept) == expected


def test_a_request_error_is_told_by_null_data_and_no_error_with_a_path():
    parse = {"data": None, "errors": [{"message": "Syntax Error", "extensions": {"code": "GRAPHQL_PARSE_FAILED"}}]}
    bubbled = {"data": None, "errors": [{"message": "x", "path": ["viewer"], "extensions": {"code": "INTERNAL"}}]}
    partial = {"data": {"viewer": None}, "errors": [{"message": "x", "path": ["viewer"]}]}
    assert [is_request_error(r) for r in (parse, bubbled, partial, {"data": {"a": 1}})] == [True, False, False, False]
    assert request_error_status(parse) == 400
    assert request_error_status({"errors": [{"message": "x", "extensions": {"code": "INTERNAL"}}]}) == 500


# -- the graphql-http audit ----------------------------------------------------------------


@pytest.mark.subprocess
@pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="node and npm run the graphql-http audit")
async def test_the_graphql_http_audit_passes_in_full_in_development(database_url):
    """``auditServer`` of graphql-http (as locked in bench/graphql_http_audit) against
    ``smallworks serve`` in development mode: all 61 audits ok, no notice, warning or error
    (bench/graphql_http_audit.py also runs it in production, where introspection is off)."""
    command = await asyncio.to_thread(audit.install)
    env = audit.server_env("development", database_url, TMP)
    run = await asyncio.to_thread(audit.audit_server, command, env, TMP / f"graphql-http-audit-{unique()}.log")
    failures = [f"{r['status']} {r['id']} {r['name']}: {r['reason']} ({r['responseStatus']})" for r in run.not_ok]
    assert run.counts == {"ok": 61, "notice": 0, "warn": 0, "error": 0}, "\n".join(failures)


@pytest.mark.parametrize("media", MEDIA_TYPES, ids=MEDIA_IDS)
async def test_several_operations_without_an_operation_name_are_a_request_error(api, token, media):
    document = "query A { viewer { kind } } query B { viewer { kind } }"
    headers = {"Authorization": f"Bearer {token}", "Accept": ACCEPT[media], "Accept-Language": "en"}
    for _ in range(2):  # the second request of a text would try the compiled path first
        response = await api.client.post("/graphql", json={"query": document}, headers=headers)
        assert (response.status_code, response.headers["content-type"]) == (400 if media == GRAPHQL_RESPONSE else 200, media)
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED", "reason": "OPERATION_NAME_REQUIRED"}
        assert error["message"] == "The document holds several operations: operationName must say which one to run."
    for executor in ({"X-Smallworks-Executor": "general"}, {}):
        named = await api.client.post("/graphql", json={"query": document, "operationName": "B"}, headers=headers | executor)
        assert named.status_code == 200 and named.json()["data"] == {"viewer": {"kind": "user"}}, named.text

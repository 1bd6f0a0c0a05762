"""The API against its own OpenAPI document: schemathesis, in-process, on a small archive.

Every check schemathesis has runs on every operation, with and without the admin token (the
admin routes exist only with one). It must find no 5xx and no answer that the document does not
describe. The examples are bounded and derandomized, so the run takes seconds and cannot flake.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from starlette.testclient import TestClient

from stenogram.web import create_app
from webutil import build

TOKEN = "s3cret"
EXAMPLES = 60


@pytest.fixture(scope="module", params=[None, TOKEN], ids=["anonymous", "admin"])
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, shared_dir: Path
) -> Iterator[Any]:
    built = build(tmp_path_factory.mktemp("schema"), shared_dir, admin_token=request.param)[0]
    app = create_app(built)
    app.state.token = request.param
    yield app


def operations(app: Any) -> Iterator[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    for result in schema.get_all_operations():
        yield result.ok()


#: Parameters in the search query language (``term``: a trend's word or phrase, which must
#: hold a word to count).
GRAMMAR = ("q", "against", "term")


def _plain(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return all(not isinstance(v, str) or (v.isalnum() and v.islower()) for v in values)


def free_of_grammar(case: Any) -> bool:
    """Whether a request's data is all that its schema can say. A search query has a grammar
    (a stray ``)`` or a bare ``NOT`` is rightly a 400), an ingest body must be a document
    that some parser recognises, and a quote to check must have words other than common ones,
    in a script the archive holds; only for those is "schema-valid, so accepted" not checked."""
    if case.path in ("/api/admin/ingest", "/api/check"):
        return False
    return all(_plain((case.query or {}).get(name)) for name in GRAMMAR)


def test_every_operation_declares_its_answers(app: Any) -> None:
    document = TestClient(app).get("/openapi.json").json()
    assert "422" not in str(document) and "HTTPValidationError" not in str(document)
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            ok = responses["200"]["content"]["application/json"]["schema"]
            assert ok and ok != {}, (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "400" in responses, (method, path)
            if path.startswith("/api/admin/"):
                assert {"401", "403"} <= set(responses), (method, path)
    if app.state.token:
        assert any(p.startswith("/api/admin/") for p in document["paths"])
        assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_schemathesis_finds_no_5xx_and_no_undescribed_answer(app: Any) -> None:
    token = app.state.token
    headers = {"Authorization": f"Bearer {token}"} if token else None
    statuses: list[int] = []
    failures: list[str] = []
    for operation in operations(app):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            excluded = [] if free_of_grammar(case) else [positive_data_acceptance]
            try:
                case.validate_response(response, headers=headers, excluded_checks=excluded)
            except BaseException as exc:  # schemathesis raises a group of failures
                failures.append(f"{case.method} {case.formatted_path} {case.query}: {exc}")

        run()
    assert statuses and not [s for s in statuses if s >= 500]
    assert not failures, "\n".join(failures[:5])

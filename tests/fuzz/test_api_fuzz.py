"""Property-based fuzzing of every operation of the three services' OpenAPI documents
(schemathesis), as an admin, as a viewer and without a key: no 5xx, and every response
conforms to its documented status code, content type and schema.

The documents are read from the running system, so an operation added later is fuzzed
without anyone listing it. `make test` runs a few examples per operation and key
(`WICC_FUZZ_EXAMPLES`, default 10, the same cases every run); `make fuzz` runs many
more, new ones each time, before a release.
"""

from __future__ import annotations

import os
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.conftest import LiveSystem

EXAMPLES = int(os.environ.get("WICC_FUZZ_EXAMPLES", "10"))
# The suite's run is the same every time; a longer run (`make fuzz`) tries new cases.
FIXED_CASES = "WICC_FUZZ_EXAMPLES" not in os.environ
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module", params=["admin", "viewer", "none"])
def role(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module", params=["capacity", "flow", "escalation"])
def service_schema(
    request: pytest.FixtureRequest, role: str, live_system: LiveSystem
) -> schemathesis.BaseSchema:
    # Without a key every operation but the public ones answers 401 before it looks at
    # the request, so a few cases show it; the coverage phase's thousands add nothing.
    keyless = role == "none"
    config = schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": 3 if keyless else EXAMPLES, "mode": "all"},
            "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": not keyless}},
        }
    )
    return schemathesis.openapi.from_url(
        f"{live_system.base_url}/{request.param}/openapi.json", config=config
    )


schema = schemathesis.pytest.from_fixture("service_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32 names each operation's subtest through the node's `_nodeid`,
    an attribute pytest 9.2 no longer has; give it one to read and write."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@hypothesis.settings(
    deadline=None,
    derandomize=FIXED_CASES,
    suppress_health_check=list(hypothesis.HealthCheck),
)
@schema.parametrize()
@pytest.mark.usefixtures("role", "live_system")  # fixtures of the wrapped test
def test_every_operation_answers_as_documented(
    case: Case[Any], role: str, live_system: LiveSystem
) -> None:
    token = live_system.tokens[role]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

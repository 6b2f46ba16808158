"""Schemathesis hooks of the OpenAPI fuzzing spec (apps/platform/src/openapi.fuzz.spec.ts).

The per-service config files beside this one give `body.*` parameters: values of the resources the
spec seeded (a model, a feature group, …), so that positive cases can be accepted. Schemathesis
4.32.5 applies them in the fuzzing and stateful phases only; this hook applies them (and fixed
`query.*` values) to the positive cases of the coverage phase as well. A value written `base64:…` is sent as its bytes: a multipart
file part, which a TOML string cannot hold. Negative cases are left as Schemathesis built them.

A deletion can succeed once per resource: positive cases of an operation named in `CONSUMED` take
a fresh id each from the comma-separated list in its environment variable (the spec seeds as many
as the run needs), so that later cases reach a resource instead of the 404 of one already deleted.
Likewise a name that must be unique (`UNIQUE`: a model's monitors) is made so in positive cases, so
that a name Schemathesis sends again reaches the operation instead of its 409.
"""

import base64
import os

import schemathesis
from schemathesis.config._dictionaries import BODY_PREFIX, ParameterDictionaryBinding, parse_body_path
from schemathesis.core.transforms import split_body_path
from schemathesis.generation.dictionaries import walk_substitute
from schemathesis.generation.meta import TestPhase
from schemathesis.generation.modes import GenerationMode

BASE64 = "base64:"
QUERY_PREFIX = "query."
CONSUMED = {"DELETE /api/monitors/{id}": ("id", "ATELIER_FUZZ_MONITORS_TO_DELETE")}
_unused: dict[str, list[str]] = {}
# operation: (body field, its maxLength)
UNIQUE = {"POST /api/monitors": ("name", 120)}
_sent: dict[str, set[str]] = {}


def _unique(label, value, limit):
    """`value`, or when it was sent before, the same with a number in place of its end."""
    sent = _sent.setdefault(label, set())
    candidate, n = value, 0
    while candidate in sent:
        n += 1
        tag = f" {n}"
        candidate = value[: max(0, limit - len(tag))] + tag
    sent.add(candidate)
    return candidate


def _fresh_id(label):
    """The next seeded id for an operation in `CONSUMED`, or None when the list is spent."""
    _parameter, variable = CONSUMED[label]
    if label not in _unused:
        _unused[label] = [v for v in os.environ.get(variable, "").split(",") if v]
    return _unused[label].pop(0) if _unused[label] else None


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return case
    label = case.operation.label
    if label in CONSUMED and case.path_parameters:
        fresh = _fresh_id(label)
        if fresh is not None:
            case.path_parameters = {**case.path_parameters, CONSUMED[label][0]: fresh}
    config = case.operation.schema.config
    parameters = {**config.parameters, **config.operations.get_for_operation(case.operation).parameters}
    if meta.phase.name == TestPhase.COVERAGE:
        # fixed `query.*` values too (e.g. the input a drift history is about)
        for key, value in parameters.items():
            if key.startswith(QUERY_PREFIX) and isinstance(value, str):
                case.query = {**(case.query or {}), key[len(QUERY_PREFIX) :]: value}
    if not isinstance(case.body, dict):
        return case
    body = case.body
    for key, value in parameters.items():
        if not key.startswith(BODY_PREFIX) or isinstance(value, ParameterDictionaryBinding):
            continue
        if isinstance(value, str) and value.startswith(BASE64):
            value = base64.b64decode(value[len(BASE64) :])
        elif meta.phase.name != TestPhase.COVERAGE:
            continue  # applied by Schemathesis itself
        body = walk_substitute(body, split_body_path(parse_body_path(key)), lambda _current, v=value: v, create_missing=True)
    if label in UNIQUE and isinstance(body, dict) and isinstance(body.get(UNIQUE[label][0]), str):
        field, limit = UNIQUE[label]
        body = {**body, field: _unique(label, body[field], limit)}
    case.body = body
    return case

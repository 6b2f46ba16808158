"""Schemathesis hooks of the OpenAPI fuzzing spec (apps/platform/src/openapi.fuzz.spec.ts).

The per-service config files beside this one give `body.*` parameters: values of the resources the
spec seeded (a model, a feature group, …), so that positive cases can be accepted. Schemathesis
4.32.5 applies them in the fuzzing and stateful phases only; this hook applies them (and fixed
`query.*` values) to the positive cases of the coverage phase as well. A value written `base64:…` is sent as its bytes: a multipart
file part, which a TOML string cannot hold. Negative cases are left as Schemathesis built them.

A deletion can succeed once per resource: positive cases of an operation named in `CONSUMED` take
a fresh id each from the comma-separated list in its environment variable (the spec seeds as many
as the run needs), so that later cases reach a resource instead of the 404 of one already deleted.
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
    case.body = body
    return case

"""Schemathesis hooks of the OpenAPI fuzzing spec (apps/platform/src/openapi.fuzz.spec.ts).

The per-service config files beside this one give `body.*` parameters: values of the resources the
spec seeded (a model, a feature group, …), so that positive cases can be accepted. Schemathesis
4.32.5 applies them in the fuzzing and stateful phases only; this hook applies them to the positive
cases of the coverage phase as well. A value written `base64:…` is sent as its bytes: a multipart
file part, which a TOML string cannot hold. Negative cases are left as Schemathesis built them.
"""

import base64

import schemathesis
from schemathesis.config._dictionaries import BODY_PREFIX, ParameterDictionaryBinding, parse_body_path
from schemathesis.core.transforms import split_body_path
from schemathesis.generation.dictionaries import walk_substitute
from schemathesis.generation.meta import TestPhase
from schemathesis.generation.modes import GenerationMode

BASE64 = "base64:"


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE or not isinstance(case.body, dict):
        return case
    config = case.operation.schema.config
    parameters = {**config.parameters, **config.operations.get_for_operation(case.operation).parameters}
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

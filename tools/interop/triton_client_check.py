"""Triton's Python HTTP client (the reference Open Inference Protocol v2 client) against Atelier.

usage: python triton_client_check.py <host:port> <api-key> <model> <version or ""> <request.json> <artifact.onnx>

request.json: {"inputs": [{"name", "datatype", "shape", "data"}]}. Prints one JSON document: server
and model metadata, readiness, the outputs of an infer with JSON tensors and of one with binary
tensors, ONNX Runtime's own outputs for the same inputs on the artifact, and how the client reads
an error answer.
"""

import json
import sys

import numpy as np
import onnxruntime
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

NUMPY = {"FP32": np.float32, "FP64": np.float64, "INT64": np.int64, "INT32": np.int32, "BOOL": np.bool_, "BYTES": np.object_}


def as_array(spec):
    data = spec["data"]
    if spec["datatype"] == "BYTES":
        return np.array([s.encode() for s in data], dtype=np.object_).reshape(spec["shape"])
    return np.array(data, dtype=NUMPY[spec["datatype"]]).reshape(spec["shape"])


def plain(array):
    if array.dtype == np.object_:
        return [v.decode() if isinstance(v, bytes) else v for v in array.ravel().tolist()]
    return array.ravel().tolist()


def infer(client, model, version, specs, headers, binary):
    inputs = []
    for spec in specs:
        tensor = httpclient.InferInput(spec["name"], spec["shape"], spec["datatype"])
        tensor.set_data_from_numpy(as_array(spec), binary_data=binary)
        inputs.append(tensor)
    outputs = None if binary else [httpclient.InferRequestedOutput(o["name"], binary_data=False) for o in client.get_model_metadata(model, version, headers=headers)["outputs"]]
    result = client.infer(model, inputs, model_version=version, outputs=outputs, headers=headers, request_id="check-1")
    response = result.get_response()
    return {"id": response.get("id"), "outputs": {o["name"]: {"shape": o["shape"], "datatype": o["datatype"], "data": plain(result.as_numpy(o["name"]))} for o in response["outputs"]}}


def reference(artifact, specs):
    """ONNX Runtime (Python) on the artifact itself, fed the same values."""
    session = onnxruntime.InferenceSession(artifact, providers=["CPUExecutionProvider"])
    ranks = {i.name: len(i.shape) for i in session.get_inputs()}
    feeds = {}
    for spec in specs:
        array = as_array(spec)
        if spec["datatype"] == "BYTES":
            array = np.array([v.decode() for v in array.ravel()], dtype=object).reshape(array.shape)
        # a [N] tensor feeds a [N, 1] input, as Atelier allows
        feeds[spec["name"]] = array.reshape(-1, 1) if ranks[spec["name"]] == 2 and array.ndim == 1 else array
    out = {}
    for meta, value in zip(session.get_outputs(), session.run(None, feeds)):
        # a ZipMap output: one {class: probability} per row, served as the [N, classes] tensor
        out[meta.name] = [p for row in value for _, p in sorted(row.items())] if isinstance(value, list) else plain(np.asarray(value))
    return out


def main():
    url, key, model, version, request_path, artifact = sys.argv[1:7]
    specs = json.load(open(request_path))["inputs"]
    headers = {"Authorization": f"Bearer {key}"}
    client = httpclient.InferenceServerClient(url=url)
    report = {
        "live": client.is_server_live(),
        "ready": client.is_server_ready(),
        "server": client.get_server_metadata(),
        "model_ready": client.is_model_ready(model, version, headers=headers),
        "metadata": client.get_model_metadata(model, version, headers=headers),
        "json": infer(client, model, version, specs, headers, binary=False),
        "binary": infer(client, model, version, specs, headers, binary=True),
        "reference": reference(artifact, specs),
    }
    try:
        client.get_model_metadata("no-such-model", headers=headers)
        report["error"] = None
    except InferenceServerException as error:
        report["error"] = {"status": error.status(), "message": error.message()}
    print(json.dumps(report))


if __name__ == "__main__":
    main()

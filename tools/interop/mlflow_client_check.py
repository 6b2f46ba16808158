"""MLflow's own Python client against Atelier's MLflow-compatible Model Registry API.

Run by apps/platform/src/mlflow.int.spec.ts with the interop venv (tools/interop/requirements.txt):

    python tools/interop/mlflow_client_check.py --tracking-uri http://127.0.0.1:<port> \
        --model <name> --prefix <prefix of the spec's models>

The API key comes from MLFLOW_TRACKING_TOKEN (the client sends it as "Authorization: Bearer").
Every call goes through `mlflow.MlflowClient`; the script changes tags, descriptions and aliases
of --model, and prints one JSON object of what the client saw, for the spec to assert.
"""

import argparse
import json
import os
import sys

# no telemetry from the client: the test talks to 127.0.0.1 only
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

from mlflow import MlflowClient  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402


def version_of(mv):
    return {
        "name": mv.name,
        "version": mv.version,
        "creation_timestamp": mv.creation_timestamp,
        "last_updated_timestamp": mv.last_updated_timestamp,
        "current_stage": mv.current_stage,
        "description": mv.description,
        "source": mv.source,
        "run_id": mv.run_id,
        "status": mv.status,
        "tags": dict(mv.tags),
        "aliases": sorted(mv.aliases),
    }


def model_of(rm):
    return {
        "name": rm.name,
        "creation_timestamp": rm.creation_timestamp,
        "last_updated_timestamp": rm.last_updated_timestamp,
        "description": rm.description,
        "latest_versions": [version_of(mv) for mv in rm.latest_versions],
        "tags": dict(rm.tags),
        "aliases": {alias: str(version) for alias, version in rm.aliases.items()},
    }


def error_of(call):
    """The MLflow error code a call fails with (None when it does not fail)."""
    try:
        call()
    except MlflowException as e:
        return e.error_code
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracking-uri", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--prefix", required=True)
    args = parser.parse_args()
    client = MlflowClient(tracking_uri=args.tracking_uri)
    model = args.model
    seen = {}

    # reads: search with a filter, and page by page; get a model and a version
    seen["search_exact"] = [rm.name for rm in client.search_registered_models(filter_string=f"name = '{model}'")]
    pages, token = [], None
    while True:
        page = client.search_registered_models(filter_string=f"name LIKE '{args.prefix}%'", max_results=1, page_token=token)
        pages.append([rm.name for rm in page])
        token = page.token
        if not token:
            break
    seen["search_pages"] = pages
    seen["search_ilike"] = [rm.name for rm in client.search_registered_models(filter_string=f"name ILIKE '{args.prefix.upper()}%'", order_by=["name DESC"])]
    seen["model"] = model_of(client.get_registered_model(model))
    seen["version"] = version_of(client.get_model_version(model, "1"))
    seen["download_uri"] = client.get_model_version_download_uri(model, "1")
    seen["latest_versions"] = [mv.version for mv in client.get_latest_versions(model)]

    # changes: tags, descriptions, an alias (Atelier's audited alias move)
    client.set_registered_model_tag(model, "team", "ops")
    client.set_registered_model_tag(model, "temporary", "x")
    client.set_model_version_tag(model, "1", "validated", "yes")
    client.update_registered_model(model, description="delay > 15 minutes, from MLflow")
    client.update_model_version(model, "1", description="the first version")
    client.set_registered_model_alias(model, "champion", "1")
    client.set_registered_model_alias(model, "challenger", "2")
    client.delete_registered_model_alias(model, "challenger")
    client.delete_registered_model_tag(model, "temporary")
    seen["by_alias"] = version_of(client.get_model_version_by_alias(model, "champion"))
    seen["model_after"] = model_of(client.get_registered_model(model))
    seen["search_by_tag"] = [rm.name for rm in client.search_registered_models(filter_string=f"name LIKE '{args.prefix}%' AND tags.team = 'ops'")]
    seen["versions"] = [version_of(mv) for mv in client.search_model_versions(filter_string=f"name = '{model}'", order_by=["version_number ASC"])]
    client.delete_model_version_tag(model, "1", "validated")
    seen["version_tags_after_delete"] = dict(client.get_model_version(model, "1").tags)

    # errors, as MLflow's error codes
    seen["errors"] = {
        "missing_model": error_of(lambda: client.get_registered_model(f"{args.prefix}-missing")),
        "missing_version": error_of(lambda: client.get_model_version(model, "99")),
        "missing_alias": error_of(lambda: client.get_model_version_by_alias(model, "challenger")),
        "bad_filter": error_of(lambda: client.search_registered_models(filter_string="name = 'a' OR name = 'b'")),
        "create_model": error_of(lambda: client.create_registered_model(f"{args.prefix}-new")),
    }
    json.dump(seen, sys.stdout)


if __name__ == "__main__":
    main()

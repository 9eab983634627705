import json

from django.core.management import call_command


def test_the_openapi_schema_validates_without_warnings(db, tmp_path):
    """drf-spectacular validates the generated document against the OpenAPI 3 JSON schema;
    --fail-on-warn also fails on any view it cannot describe."""
    target = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(target),
    )
    schema = json.loads(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/ideas/{id}/vote/",
        "/api/v1/auth/token/",
        "/api/v1/campaigns/",
        "/api/v1/campaigns/{slug}/ideas/",
        "/api/v1/me/notifications/",
    } <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/ideas/{id}/vote/"]) >= {"get", "put", "delete"}

def test_healthz_checks_the_database(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok"}


def test_openapi_document_lists_every_api_endpoint(client, app):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.get_json()
    assert spec["openapi"].startswith("3.")
    import re
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json"}
    assert routes and routes <= set(spec["paths"])
    body = spec["paths"]["/api/v1/units"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "$ref" in body


def test_unknown_api_path_is_json_404(client, world):
    from tests.conftest import bearer
    r = client.get("/api/v1/nothing", headers=bearer(world.tokens["county_admin"]))
    assert r.status_code == 404
    assert r.get_json()["error"]["message"]


def test_api_without_token_is_401_and_pages_redirect_to_login(client):
    assert client.get("/api/v1/units").status_code == 401
    r = client.get("/units")
    assert r.status_code == 302 and "/login" in r.headers["Location"]

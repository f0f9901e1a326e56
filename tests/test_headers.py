"""Headers and contract (issue 16): a strict CSP and no framing on staff pages and the field app, HSTS over
HTTPS, the token endpoint outside the bearer scheme in the OpenAPI document."""
from tests.conftest import login


def test_staff_pages_and_the_field_app_have_a_strict_csp_and_no_framing(client, world):
    login(client, "admin")
    for url in ("/units", "/login", "/app/", "/no-such-page"):
        r = client.get(url)
        csp = r.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp, (url, csp)
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert r.headers["X-Frame-Options"] == "DENY"


def test_no_page_has_inline_script(client, world, app):
    login(client, "admin")
    for url in ("/units", "/app/", "/login"):
        body = client.get(url).get_data(as_text=True)
        assert "onclick=" not in body and "javascript:" not in body and "<script>" not in body


def test_hsts_only_over_https(client, world):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    r = client.get("/login", base_url="https://fangxin.example")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_token_endpoint_is_outside_the_bearer_scheme(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["security"] == [{"bearer": []}]
    assert spec["paths"]["/api/v1/auth/token"]["post"]["security"] == []
    assert "security" not in spec["paths"]["/api/v1/units"]["get"]

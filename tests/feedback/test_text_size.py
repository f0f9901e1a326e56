"""The 大字 switch (issue 19, item 4): a plain link sets or clears a cookie and returns to the page; every
public page then renders in large text, the kept sign page too (kept apart per size)."""
import pytest

from tests.signage.conftest import evaluated, issue  # noqa: F401


def text(r):
    return r.get_data(as_text=True)


def test_switch_sets_cookie_and_returns(client):
    r = client.get("/text-size?big=1&next=/directory?type=factory")
    assert r.status_code == 303 and r.headers["Location"].endswith("/directory?type=factory")
    assert "big=1" in r.headers["Set-Cookie"] and "Max-Age=31536000" in r.headers["Set-Cookie"]
    assert 'class="big"' in text(client.get("/directory"))
    off = client.get("/text-size?next=/directory")
    assert "big=;" in off.headers["Set-Cookie"] or "Max-Age=0" in off.headers["Set-Cookie"]
    assert 'class="big"' not in text(client.get("/directory"))


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", ""])
def test_switch_never_leaves_the_site(client, target):
    r = client.get("/text-size", query_string={"big": "1", "next": target})
    assert r.status_code == 303 and r.headers["Location"].endswith("/directory")


def test_kept_sign_page_follows_the_size(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    plain = text(client.get(f"/s/{token}"))
    client.get("/text-size?big=1&next=/")
    big = client.get(f"/s/{token}")
    assert 'class="big"' in text(big) and 'class="big"' not in plain and "标准字号" in text(big)
    assert "Cookie" in big.headers["Vary"]
    client.get("/text-size?next=/")
    assert 'class="big"' not in text(client.get(f"/s/{token}"))

"""The field app's npm libraries are served from node_modules (make js), never from the repository."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (ROOT / "node_modules" / "jsqr").exists(),
                    reason="the npm libraries are not installed here: run `make js` (make test and CI do)")
def test_the_qr_decoder_comes_from_npm_and_nothing_else_is_served(client):
    assert not list((ROOT / "static" / "pwa").rglob("*jsqr*")) and not list((ROOT / "static" / "pwa").rglob("*jsQR*"))
    r = client.get("/app/vendor/jsqr.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript" and b"jsQR" in r.data
    assert client.get("/app/vendor/other.js").status_code == 404
    assert client.get("/app/vendor/..%2Fpackage.json").status_code == 404

"""Two devices uploading the same photo at the same moment: one stores it, the other hears 'exists'."""
import threading

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.photo import imaging
from server.photo.models import Photo
from tests.photo.conftest import make_image, put


def test_simultaneous_uploads_store_once(app, world, monkeypatch):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    # Both requests get past the 'already there?' check before either inserts.
    barrier = threading.Barrier(2, timeout=10)
    real = imaging.inspect

    def slow_inspect(data):
        barrier.wait()
        return real(data)
    monkeypatch.setattr(imaging, "inspect", slow_inspect)
    data, results = make_image(), []

    def upload(token):
        results.append(put(app.test_client(), token, data).status_code)
    threads = [threading.Thread(target=upload, args=(world.tokens[w],)) for w in ("inspector_a", "admin_a")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 201]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Photo)) == 1

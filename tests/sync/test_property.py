"""Property: whatever sequence of push, replay, lost responses, photo uploads and pulls a device goes
through, once it has retried its outbox the server holds exactly one copy of every record and photo."""
import hashlib
import io
import uuid

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from server.extensions import db
from server.inspection.models import Inspection
from server.photo.models import Photo
from server.sync.models import SyncReceipt
from tests.conftest import World, _wipe, bearer
from tests.sync.conftest import inspection_body


def _png(n: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (n * 40 % 256, 90, 160)).save(out, "PNG")
    return out.getvalue()


PHOTOS = [_png(n) for n in range(4)]
SHAS = [hashlib.sha256(p).hexdigest() for p in PHOTOS]

OPS = st.lists(st.one_of(
    st.tuples(st.just("create"), st.integers(0, 3)),        # a new inspection using photo n
    st.tuples(st.just("push"), st.booleans()),              # push the outbox; True: the response is lost
    st.tuples(st.just("replay"), st.integers(0, 50)),       # send an acknowledged record again
    st.tuples(st.just("upload"), st.tuples(st.integers(0, 3), st.booleans())),  # photo n; lost response?
    st.tuples(st.just("pull"), st.just(None)),
), min_size=1, max_size=14)


class Device:
    """The phone's view: an outbox of records and photos, and what the server acknowledged."""

    def __init__(self, client, token, unit_id, version_id):
        self.client, self.h = client, bearer(token)
        self.unit_id, self.version_id = unit_id, version_id
        self.outbox, self.photos_out, self.acked, self.photos_acked, self.cursor = [], set(), [], set(), 0

    def create(self, n):
        body = inspection_body(self.unit_id, self.version_id, photos=[SHAS[n]], signature=SHAS[(n + 1) % 4])
        self.outbox.append({"id": body["client_id"], "type": "inspection", "data": body})
        self.photos_out |= {SHAS[n], SHAS[(n + 1) % 4]}

    def push(self, lost):
        if not self.outbox:
            return
        r = self.client.post("/api/v1/sync/push", headers=self.h, json={"changes": self.outbox[:100]})
        if lost:
            return  # the server committed; the phone never heard
        assert r.status_code == 200
        done = {x["id"] for x in r.get_json()["results"] if x["status"] in ("applied", "duplicate")}
        assert done == {c["id"] for c in self.outbox[:100]}
        self.acked += [c for c in self.outbox if c["id"] in done]
        self.outbox = [c for c in self.outbox if c["id"] not in done]

    def replay(self, i):
        if self.acked:
            c = self.acked[i % len(self.acked)]
            r = self.client.post("/api/v1/sync/push", headers=self.h, json={"changes": [c]})
            assert r.get_json()["results"][0]["status"] == "duplicate"

    def upload(self, n, lost):
        sha = SHAS[n]
        if sha not in self.photos_out:
            return
        r = self.client.put(f"/api/v1/photos/{sha}", data=PHOTOS[n], headers={**self.h, "Content-Type": "image/png"})
        if not lost:
            assert r.status_code in (200, 201) and r.get_json()["photo"]["sha256"] == sha
            self.photos_out.discard(sha)
            self.photos_acked.add(sha)

    def pull(self, _):
        page = self.client.get(f"/api/v1/sync/pull?cursor={self.cursor}", headers=self.h).get_json()
        assert page["cursor"] >= self.cursor
        self.cursor = page["cursor"]

    def drain(self):
        for n, sha in enumerate(SHAS):
            if sha in self.photos_out:
                self.upload(n, False)
        while self.outbox:
            self.push(False)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_every_acknowledged_record_and_photo_is_stored_exactly_once(app, checklist_factory, ops):
    with app.app_context():
        _wipe(db.engine)
        world = World()
        token = world.token(world.inspector_a)
        unit_id, county_id = world.unit_a.id, world.county.id
    version_id = checklist_factory(county_id)
    device = Device(app.test_client(), token, unit_id, version_id)
    for op, arg in ops:
        if op == "upload":
            device.upload(*arg)
        else:
            getattr(device, op)(arg)
    device.drain()
    with app.app_context():
        stored = db.session.scalars(sa.select(Inspection.client_id)).all()
        assert sorted(stored) == sorted(c["id"] for c in device.acked)
        assert len(stored) == len(set(stored))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncReceipt)) == len(stored)
        photos = db.session.scalars(sa.select(Photo.sha256)).all()
        assert sorted(photos) == sorted(device.photos_acked)
        for c in device.acked:
            insp = db.session.scalars(sa.select(Inspection).where(Inspection.client_id == c["id"])).one()
            assert insp.conclusion == c["data"]["conclusion"]


@pytest.fixture
def checklist_factory(app):
    from server.checklist.service import base_items, create_template
    from server.demo.loader import checklist_base

    def make(county_id):
        with app.app_context():
            t = create_template(county_id, f"base-{uuid.uuid4().hex[:6]}", "八有八无", None,
                                base_items(checklist_base()))
            db.session.commit()
            return t.versions[0].id
    return make

"""Photo upload: bytes on the wire per photo byte, and server time per MB.

Uploads ~300 KB JPEGs (distinct, so each is verified and stored) to a real local
HTTP server over a socket, counting every byte sent and received, then through the Flask test
client to time the server alone. Prints figures; asserts nothing.

    .venv/bin/python bench/photo_upload.py [--n 40] [--url sqlite:///... | postgresql://...]
    .venv/bin/python bench/photo_upload.py --worst

--worst: the peak memory of a worker accepting, checking and thumbnailing the worst images that are still
under the limits (server.photo.imaging): a flat 16-bit RGBA PNG and a lossless WebP at the largest size
allowed (a few hundred KB that decode to the most pixels), a progressive 4:4:4 JPEG at its largest (libjpeg
keeps every coefficient of a progressive file whatever the scale it decodes at), and one pixel over each
limit. Each image runs in a fresh process (peak RSS is per process); the figure is the process's peak RSS,
with the app loaded before the image for comparison. Issue 16 asks ≤ 250 MB.
"""
import argparse
import hashlib
import io
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server import create_app  # noqa: E402
from server.extensions import db  # noqa: E402


def make_jpeg(seed: int, target: int = 300_000) -> bytes:
    """A photo-like JPEG of about `target` bytes: noise over a gradient, as a camera makes."""
    base = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
    noise = Image.effect_noise((1600, 1200), 40 + seed % 7).convert("RGB")
    img = Image.blend(base, noise, 0.35)
    for quality in range(95, 20, -5):
        out = io.BytesIO()
        img.save(out, "JPEG", quality=quality)
        if out.tell() <= target:
            return out.getvalue()
    return out.getvalue()


def setup(url: str | None):
    """An app on a fresh database with one inspector and their token."""
    tmp = tempfile.mkdtemp(prefix="photo-bench-")
    os.environ.setdefault("INSTANCE_PATH", tmp)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{tmp}/bench.db",
                      "PHOTO_STORAGE": f"file://{tmp}/photos", "SECRET_KEY": "bench"})
    import server.photo.models  # noqa: F401
    if "photos" not in app.blueprints:  # until create_app registers it
        from server.extensions import api, csrf
        from server.photo.api import api_bp
        csrf.exempt(api_bp)
        api.register_blueprint(api_bp, url_prefix="/api/v1" + api_bp.url_prefix)
    with app.app_context():
        db.drop_all()
        db.create_all()
        token = _inspector_token()
    return app, token


def _inspector_token() -> str:
    from server.account.models import User
    from server.account.service import hash_password, issue_token
    from server.station.models import County, Station
    county = County(code="bench", name="测试县")
    db.session.add(county)
    db.session.flush()
    station = Station(county_id=county.id, code="s1", name="测试所")
    db.session.add(station)
    db.session.flush()
    user = User(username="insp", name="insp", role="inspector", county_id=county.id,
                station_id=station.id, password_hash=hash_password("x" * 12))
    db.session.add(user)
    db.session.flush()
    _, plain = issue_token(user, "bench")
    db.session.commit()
    return plain


def raw_put(port: int, token: str, data: bytes) -> tuple[int, int, bytes]:
    """PUT over a plain socket, as a phone's fetch() would; (bytes sent, bytes received, status line)."""
    head = (f"PUT /api/v1/photos/{hashlib.sha256(data).hexdigest()} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: image/jpeg\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(head + data)
        received = b""
        while chunk := s.recv(65536):
            received += chunk
    return len(head) + len(data), len(received), received.split(b"\r\n", 1)[0]


def wire(app, token: str, photo: bytes) -> None:
    import logging

    from werkzeug.serving import make_server
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sent, got, status = raw_put(server.server_port, token, photo)
        sent2, got2, status2 = raw_put(server.server_port, token, photo)
    finally:
        server.shutdown()
    print(f"photo: {len(photo):,} bytes JPEG")
    print(f"upload ({status.decode()}): request {sent:,} B, response {got:,} B")
    print(f"  request bytes / photo bytes           = {sent / len(photo):.4f}")
    print(f"  (request + response) / photo bytes    = {(sent + got) / len(photo):.4f}")
    print(f"retry of the same photo ({status2.decode()}): {(sent2 + got2) / len(photo):.4f}")


def timing(app, token: str, photos: list[bytes]) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"}
    per_mb, again = [], []
    for data in photos:
        url = f"/api/v1/photos/{hashlib.sha256(data).hexdigest()}"
        t0 = time.perf_counter()
        assert client.put(url, data=data, headers=headers).status_code == 201
        t1 = time.perf_counter()
        assert client.put(url, data=data, headers=headers).status_code == 200
        t2 = time.perf_counter()
        mb = len(data) / 1_000_000
        per_mb.append((t1 - t0) * 1000 / mb)
        again.append((t2 - t1) * 1000 / mb)
    total = sum(len(p) for p in photos) / 1_000_000
    backend = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
    print(f"server time, {len(photos)} new photos, {total:.1f} MB ({backend}):")
    print(f"  new photo:  median {statistics.median(per_mb):.0f} ms/MB, p90 {_p90(per_mb):.0f} ms/MB")
    print(f"  re-upload:  median {statistics.median(again):.0f} ms/MB (hash check only)")


def flat_png16(width: int, height: int) -> bytes:
    """A 16-bit RGBA PNG of one colour: tiny on the wire, width × height × 8 bytes raw."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    row = b"\0" + b"\x12\x34" * 4 * width
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    head = struct.pack(">IIBBBBB", width, height, 16, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def worst_images() -> list[tuple[str, str, bytes]]:
    """(name, content type, bytes): the heaviest images at the limits and just past them."""
    from server.photo import imaging
    side = int(imaging.MAX_PIXELS_FULL_DECODE ** 0.5)
    jside = int(imaging.MAX_PIXELS ** 0.5)
    out = [(f"PNG 16-bit RGBA {side}×{side}", "image/png", flat_png16(side, side)),
           (f"PNG 16-bit RGBA {side + 1}×{side} (over)", "image/png", flat_png16(side + 1, side))]
    webp = io.BytesIO()
    Image.new("RGBA", (side, side), (1, 2, 3, 4)).save(webp, "WEBP", lossless=True)
    out.append((f"WebP lossless RGBA {side}×{side}", "image/webp", webp.getvalue()))
    pside = int(imaging.MAX_PIXELS_PROGRESSIVE ** 0.5)
    jpeg = io.BytesIO()
    Image.new("RGB", (pside, pside), (120, 60, 30)).save(jpeg, "JPEG", progressive=True, subsampling=0, quality=95)
    out.append((f"JPEG progressive 4:4:4 {pside}×{pside}", "image/jpeg", jpeg.getvalue()))
    jpeg = io.BytesIO()
    Image.new("RGB", (pside + 1, pside), (120, 60, 30)).save(jpeg, "JPEG", progressive=True, subsampling=0)
    out.append((f"JPEG progressive {pside + 1}×{pside} (over)", "image/jpeg", jpeg.getvalue()))
    jpeg = io.BytesIO()
    Image.new("RGB", (jside, jside), (120, 60, 30)).save(jpeg, "JPEG", subsampling=0, quality=95)
    out.append((f"JPEG baseline 4:4:4 {jside}×{jside}", "image/jpeg", jpeg.getvalue()))
    jpeg = io.BytesIO()
    Image.new("RGB", (jside + 1, jside), (120, 60, 30)).save(jpeg, "JPEG", quality=95)
    out.append((f"JPEG {jside + 1}×{jside} (over)", "image/jpeg", jpeg.getvalue()))
    return out


def _status_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process, in MB (Linux's /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(field)


def _peak_mb() -> float:
    return _status_mb("VmHWM")


def one_worst(url: str | None, spec: str) -> None:
    """In this (fresh) process: upload one image (file|type|name), ask for its thumbnail, print peak RSS."""
    path, mime, name = spec.split("|", 2)
    app, token = setup(url)
    data = Path(path).read_bytes()
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from the RSS now
    before = _status_mb("VmRSS")
    client = app.test_client()
    h = {"Authorization": f"Bearer {token}", "Content-Type": mime}
    url_ = f"/api/v1/photos/{hashlib.sha256(data).hexdigest()}"
    put = client.put(url_, data=data, headers=h).status_code
    thumb = client.get(url_ + "/thumb", headers=h).status_code if put == 201 else "-"
    print(f"{name:38s} {len(data) / 1000:8.0f} KB  upload {put}  thumb {thumb}  "
          f"peak RSS {before:5.0f} MB → {_peak_mb():5.0f} MB")


def worst(url: str | None) -> None:
    import subprocess
    print("worst images under the limits (each in a fresh process):")
    folder = Path(tempfile.mkdtemp(prefix="photo-worst-"))
    for i, (name, mime, data) in enumerate(worst_images()):
        path = folder / f"{i}.img"
        path.write_bytes(data)
        subprocess.run([sys.executable, __file__, "--one-worst", f"{path}|{mime}|{name}"]
                       + (["--url", url] if url else []), check=True)
        path.unlink()


def _p90(values):
    return sorted(values)[int(len(values) * 0.9) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--url", default=None)
    parser.add_argument("--worst", action="store_true", help="peak worker memory for the worst images")
    parser.add_argument("--one-worst", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_worst:
        return one_worst(args.url, args.one_worst)
    if args.worst:
        return worst(args.url)
    app, token = setup(args.url)
    photos = [make_jpeg(i) for i in range(args.n + 1)]
    wire(app, token, photos[0])
    timing(app, token, photos[1:])


if __name__ == "__main__":
    main()

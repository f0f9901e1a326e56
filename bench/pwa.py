"""The field app: shell size gzipped, offline start and checklist timings at 4× CPU slowdown, stored photo size.

Serves the demo data on a local port, logs in as the demo inspector in Debian's Chromium at 360×740,
then measures with the network off and the CPU throttled 4× (CDP Emulation.setCPUThrottlingRate).
Prints figures; asserts nothing. Goals: shell ≤ 100 KB gzipped; each timing < 1 s; a 12 MP photo ≤ 500 KB.

    .venv/bin/python bench/pwa.py [--runs 5] [--url sqlite:///... | postgresql://...]
"""
import argparse
import gzip
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from PIL import Image
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server import create_app  # noqa: E402
from server.extensions import db  # noqa: E402

PWA = ROOT / "static" / "pwa"
READ = """async (store) => {
  const db = await new Promise((ok) => { const r = indexedDB.open('fangxin'); r.onsuccess = () => ok(r.result); });
  const rows = await new Promise((ok) => { const g = db.transaction(store).objectStore(store).getAll(); g.onsuccess = () => ok(g.result); });
  db.close();
  return rows.map((r) => (r.bytes ? { sha: r.sha, size: r.size, width: r.width, height: r.height } : r));
}"""
WAIT = "(sel) => new Promise((ok) => { const f = () => document.querySelector(sel) ? ok() : requestAnimationFrame(f); f(); })"


def shell_size() -> tuple[int, int, int]:
    """(files, raw bytes, gzipped bytes) of the shell: HTML, JS, CSS, manifest; icons excluded."""
    files = [p for p in PWA.rglob("*") if p.is_file() and p.suffix in (".html", ".js", ".css", ".webmanifest")]
    raw = sum(p.stat().st_size for p in files)
    gz = sum(len(gzip.compress(p.read_bytes(), 9)) for p in files)
    return len(files), raw, gz


def camera_photo(path: Path) -> int:
    """A 12-megapixel (4000×3000) camera-like JPEG: gradient with sensor noise, quality 92."""
    base = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    noise = Image.effect_noise((4000, 3000), 30).convert("RGB")
    Image.blend(base, noise, 0.3).save(path, "JPEG", quality=92)
    return path.stat().st_size


def serve(url: str | None):
    tmp = tempfile.mkdtemp(prefix="pwa-bench-")
    os.environ.setdefault("INSTANCE_PATH", tmp)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{tmp}/bench.db",
                      "PHOTO_STORAGE": f"file://{tmp}/photos", "SECRET_KEY": "bench"})
    from server.demo import loader
    with app.app_context():
        db.drop_all()
        db.create_all()
        loader.load()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", loader.DEMO_PASSWORD, tmp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--url")
    args = ap.parse_args()
    n, raw, gz = shell_size()
    print(f"app shell: {n} files, {raw / 1024:.1f} KB raw, {gz / 1024:.1f} KB gzipped (goal ≤ 100 KB)")
    decoder = ROOT / "node_modules" / "jsqr" / "dist" / "jsQR.js"
    if decoder.exists():
        data = decoder.read_bytes()
        print(f"QR decoder (npm jsqr, outside the shell, fetched on install, used only without BarcodeDetector): "
              f"{len(data) / 1024:.1f} KB raw, {len(gzip.compress(data, 9)) / 1024:.1f} KB gzipped")
    base, password, tmp = serve(args.url)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "chromium", args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN", bypass_csp=True)  # wait_for_function evaluates strings
        page = ctx.new_page()
        page.goto(base + "/app/")
        page.fill("input[name=username]", "wuyun_inspector")
        page.fill("input[name=password]", password)
        page.click("#login button[type=submit]")
        deadline = time.monotonic() + 60
        while not any(r["key"] == "last_sync" for r in page.evaluate(READ, "meta")) and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        units = len(page.evaluate(READ, "units"))
        print(flush=True)
        print(f"demo inspector's scope on the phone: {units} units")
        ctx.set_offline(True)
        cdp = ctx.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        opens, checks = [], []
        for run in range(args.runs):
            page.goto(f"{base}/app/?run={run}#/tasks")  # a new document each time, from the service worker
            page.wait_for_function("performance.getEntriesByName('view:tasks').length > 0")
            opens.append(page.evaluate("performance.getEntriesByName('view:tasks')[0].startTime"))
            page.evaluate("location.hash = '#/units'")
            page.wait_for_selector("#results a")
            checks.append(page.evaluate(f"""async () => {{
              const wait = {WAIT};
              const t0 = performance.now();
              document.querySelector('#results a').click();
              await wait('#start, a[href^="#/inspect/"]');  // 开始检查, or 继续检查 once a draft exists
              document.querySelector('#start, a[href^="#/inspect/"]').click();
              await wait('.answers [data-r=yes]');
              return performance.now() - t0;
            }}"""))
        print(f"offline open → task list drawn, 4× CPU: median {statistics.median(opens):.0f} ms "
              f"(min {min(opens):.0f}, max {max(opens):.0f}; goal < 1000)")
        print(f"choose a unit → first checklist item, 4× CPU: median {statistics.median(checks):.0f} ms "
              f"(min {min(checks):.0f}, max {max(checks):.0f}; goal < 1000)")
        photo = Path(tmp) / "camera-12mp.jpg"
        size = camera_photo(photo)
        t0 = time.monotonic()
        page.set_input_files("#cam input[type=file]", str(photo))
        page.wait_for_selector("#photos img", timeout=60000)
        took = time.monotonic() - t0
        [stored] = page.evaluate(READ, "photos")
        print(f"12 MP photo: {size / 1024:.0f} KB from the camera → stored {stored['size'] / 1024:.0f} KB "
              f"({stored['width']}×{stored['height']} JPEG), scaled and hashed in {took:.1f} s at 4× CPU (goal ≤ 500 KB)")
        browser.close()


if __name__ == "__main__":
    main()

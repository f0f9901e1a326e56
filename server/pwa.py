"""Serves the field app (static/pwa/) at /app/: the shell is public, the data behind it needs a token."""
from pathlib import Path

from flask import Blueprint, redirect, send_from_directory

PWA_DIR = Path(__file__).resolve().parent.parent / "static" / "pwa"
# Browser libraries from the npm registry, installed by `make js` (package.json), served under /app/vendor/.
NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
VENDOR = {"jsqr.js": ("jsqr/dist", "jsQR.js")}
bp = Blueprint("pwa", __name__)


@bp.get("/app")
def app_root():
    """The app lives under /app/ so the service worker's scope is the app alone."""
    return redirect("/app/", code=301)


@bp.get("/app/vendor/jsqr.js")
def vendor_file():
    """The QR decoder installed from npm (404 when `make js` has not been run)."""
    folder, filename = VENDOR["jsqr.js"]
    return send_from_directory(NODE_MODULES / folder, filename, max_age=0, mimetype="text/javascript")


@bp.get("/app/", defaults={"path": "index.html"})
@bp.get("/app/<path:path>")
def app_file(path: str):
    """A file of the app; the shell, manifest and service worker are always revalidated."""
    resp = send_from_directory(PWA_DIR, path, max_age=0)
    if path in ("index.html", "sw.js", "manifest.webmanifest"):
        resp.headers["Cache-Control"] = "no-cache"
    if path == "sw.js":
        resp.headers["Service-Worker-Allowed"] = "/app/"
    return resp

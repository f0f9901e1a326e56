"""Serves the field app (static/pwa/) at /app/: the shell is public, the data behind it needs a token."""
from pathlib import Path

from flask import Blueprint, redirect, send_from_directory

PWA_DIR = Path(__file__).resolve().parent.parent / "static" / "pwa"
bp = Blueprint("pwa", __name__)


@bp.get("/app")
def app_root():
    """The app lives under /app/ so the service worker's scope is the app alone."""
    return redirect("/app/", code=301)


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

"""The public sign page /s/<token>: no login, no JavaScript, small; and the consumer's two forms."""
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from marshmallow import ValidationError

from schemas.feedback import COMPLAINT_KINDS, NEGATIVE_TAGS, POSITIVE_TAGS, ComplaintFormSchema, EvaluationFormSchema
from server.core.errors import Invalid, TooManyRequests
from server.feedback import service as feedback
from server.public.service import sign_page, storefront_thumb

bp = Blueprint("public", __name__)

HONEYPOT = "website"  # hidden from people; bots fill it in
KIND_LABELS = {"complaint": "投诉（我的消费权益受损）", "report": "举报（发现违法违规行为）"}
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")


def _render(token: str, status: int = 200, errors: dict | None = None, form: dict | None = None,
            which: str = "", message: str = ""):
    page = sign_page(token)
    if not page.found:
        status = 404
    html = render_template("public/sign.html", page=page, token=token, errors=errors or {}, form=form or {},
                           which=which, message=message, done=request.args.get("done", ""),
                           positive=POSITIVE_TAGS, negative=NEGATIVE_TAGS,
                           kinds=[(k, KIND_LABELS[k]) for k in COMPLAINT_KINDS], honeypot=HONEYPOT)
    resp = Response(html, status=status, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/s/<token>")
def sign(token: str):
    """What a consumer sees after scanning: valid / revoked / replaced / expired / not ours."""
    return _render(token)


@bp.get("/s/<token>/photo")
def photo(token: str):
    """The wall photo taken when this sign was confirmed posted (thumbnail, metadata stripped)."""
    found = storefront_thumb(token)
    if found is None:
        abort(404)
    sha, data = found
    resp = Response(data, mimetype="image/jpeg")
    resp.set_etag(sha)
    resp.cache_control.public, resp.cache_control.max_age = True, 3600
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp.make_conditional(request)


def _submit(token: str, which: str, schema, store):
    page = sign_page(token)
    if not page.found or (which == "evaluation" and page.state not in ("valid", "expired")):
        return _render(token, 404)
    form = request.form.to_dict()
    form["tags"] = request.form.getlist("tags")
    if request.form.get(HONEYPOT, "").strip():
        return redirect(url_for("public.sign", token=token, done=which), 303)  # pretend; store nothing
    try:
        data = schema.load({k: v for k, v in form.items() if k in schema.fields and v not in ("", [])})
        store(page.sign, data, feedback.address_hash(request.remote_addr or ""))
    except ValidationError as err:
        return _render(token, 422, err.messages, form, which, "填写的内容有误，请按提示修改")
    except Invalid as err:
        return _render(token, 422, err.fields, form, which, err.message)
    except TooManyRequests as err:
        return _render(token, 429, {}, form, which, err.message)
    return redirect(url_for("public.sign", token=token, done=which), 303)


@bp.post("/s/<token>/evaluate")
def evaluate(token: str):
    """A consumer's evaluation: stars, tags, comment."""
    return _submit(token, "evaluation", EvaluationFormSchema(), feedback.add_evaluation)


@bp.post("/s/<token>/complain")
def complain(token: str):
    """A complaint or report, with an optional photo checked by its content."""
    upload = request.files.get("photo")
    data = upload.stream.read(feedback.PHOTO_MAX_BYTES + 1) if upload and upload.filename else None

    def store(sign, form, addr):
        return feedback.add_complaint(sign, form, addr, data)
    return _submit(token, "complaint", ComplaintFormSchema(), store)

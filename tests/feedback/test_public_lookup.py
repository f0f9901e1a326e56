"""Public verification never calls a genuine shop a fake (issue 15, item 8): an address mangled by a
wall, a scanner or a chat app still reaches its sign; the serial printed on the sign, typed in any case
with or without dashes at /s/, gives the same answer as the scan; a miss says so plainly and tells how
to check, without crying counterfeit."""
import unicodedata

from hypothesis import given, settings, strategies as st

from server.extensions import db
from server.qrsign import payload
from server.signage import service
from server.signage.service import canonical_serial, format_serial
from tests.conftest import YEAR
from tests.signage.conftest import evaluated, issue  # noqa: F401

TOKEN = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", min_size=16, max_size=16)
GLUE = st.sampled_from(["", "/", " ", "。", "，", "）", ")", ".", "!", "、", "\u3000", "/。", " ，"])


def text(r):
    return r.get_data(as_text=True)


def wide(s: str) -> str:
    """Full-width forms, as some phones' keyboards and chat apps write letters and digits."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


@settings(max_examples=300)
@given(TOKEN, GLUE, st.sampled_from(["", " ", "/"]), st.booleans())
def test_find_token_survives_what_chat_apps_do(token, tail, head, full_width):
    raw = head + (wide(token) if full_width else token) + tail
    assert unicodedata.normalize("NFKC", wide(token)) == token
    assert payload.find_token(raw) == token
    assert payload.find_token("https://fx.example.cn/S/" + raw, "https://fx.example.cn") == token
    assert payload.find_token("https://fx.example.cn.evil.com/s/" + raw, "https://fx.example.cn") is None


@given(TOKEN, st.text(alphabet="abcXYZ123", min_size=1, max_size=3))
def test_find_token_refuses_more_letters_after_the_token(token, extra):
    assert payload.find_token(token + extra) is None
    assert payload.find_token(token[:-1]) is None
    for glued in ("。" + extra, "欢迎光临", "&from=timeline", "?from=singlemessage", "。谢谢"):
        assert payload.find_token(token + glued) == token  # the token's end is plain: anything may follow


@given(st.sampled_from(["JY", "HZ", "LS"]), st.integers(2000, 2099), st.integers(1, 999_999),
       st.sampled_from(["-", "", " ", "—", "－"]), st.booleans(), st.booleans())
def test_canonical_serial_from_what_people_type(prefix, year, seq, dash, lower, full_width):
    printed = format_serial(prefix, year, seq)
    typed = f"{prefix}{dash}{year}{dash}{seq:06d}"
    typed = typed.lower() if lower else typed
    typed = wide(typed) if full_width else typed
    assert canonical_serial(typed) == printed
    assert canonical_serial(f"{prefix}-{year}-{seq}") == printed  # leading zeros left out
    assert canonical_serial(f"{prefix}-{year}-{seq:06d}".replace("0", "O").replace("1", "l")) == printed


def test_canonical_serial_refuses_what_cannot_be_one():
    for raw in ("", "JY", "JY-23-1", "2023-000123", "JY-2023-000000", "JY-2023-", "你好", "JY-2023-1a",
                "JY-2023-" + "1" * 10, "JY-2023-1" + " " * 200):
        assert canonical_serial(raw) is None, raw


def test_mangled_addresses_reach_the_sign(app, client, world, evaluated):
    _, token, _ = issue(app, world)
    canonical = f"/s/{token}"
    for path in (f"/s/{token}/", f"/S/{token}", f"/S/{token}/", f"/s/{token}%20", f"/s/%20{token}",
                 f"/s/{token}%E3%80%82", f"/s/{token}%EF%BC%8C", f"/s/{token}%EF%BC%89", f"/s/{token})",
                 "/s/" + wide(token), f"/s/{token}%E3%80%80", f"/s/{token}欢迎光临", f"/s/{token}&from=timeline",
                 f"/s/{token}%3Ffrom%3Dsinglemessage"):
        r = client.get(path)
        assert r.status_code == 301, path
        assert r.headers["Location"].endswith(canonical), path
        assert "本标识真实有效" in text(client.get(r.headers["Location"])), path


def test_serial_typed_at_the_lookup_page_gives_the_scan_answer(app, client, world, evaluated):
    _, token, serial = issue(app, world)
    page = client.get("/s/")
    assert page.status_code == 200 and 'name="q"' in text(page) and "JY-2023-000123" in text(page)
    assert client.get("/s").status_code == 200 and client.get("/S/").status_code == 200
    prefix, year, seq = serial.split("-")
    for typed in (serial, serial.lower(), serial.replace("-", ""), f"{prefix} {year} {int(seq)}",
                  wide(serial), f" {serial}。", f"http://127.0.0.1:5000/s/{token}", token):
        r = client.get("/s/", query_string={"q": typed})
        assert r.status_code == 303, typed
        assert r.headers["Location"].endswith(f"/s/{token}"), typed
    assert client.get(f"/s/{serial.lower()}").headers["Location"].endswith(f"/s/{token}")
    long_form = f"{prefix}-{year}-{int(seq):08d}"  # 16 characters: the shape of a token, but a serial
    assert len(long_form) == 16 and client.get(f"/s/{long_form}").headers["Location"].endswith(f"/s/{token}")
    with app.test_request_context():
        from flask import url_for
        assert url_for("public.lookup_form") == "/s/"
    assert 'action="/s/"' in text(page)
    scan = text(client.get(f"/s/{token}"))
    assert "本标识真实有效" in scan and serial in scan


def test_a_miss_says_so_and_how_to_check_without_crying_fake(app, client, world, evaluated):
    issue(app, world)
    for q in ("JY-2023-999999", "XX-1999-1", "不是编号", "<script>alert(1)</script>"):
        r = client.get("/s/", query_string={"q": q})
        body = text(r)
        assert r.status_code == 404, q
        assert "未查到该标识" in body and "12315" in body and "JY-2023-000123" in body, q
        assert "假冒" not in body, q
        assert "<script>alert" not in body
    unknown = payload.new_token()  # a well-shaped token that is no sign: to its page, as the scan would
    r = client.get("/s/", query_string={"q": unknown})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/s/{unknown}")
    r = client.get(r.headers["Location"])
    assert r.status_code == 404 and "未查到该标识" in text(r) and "假冒" not in text(r)
    r = client.get("/s/" + payload.new_token() + "x")
    assert r.status_code == 404 and "未查到该标识" in text(r) and "假冒" not in text(r)
    assert client.get("/s/", query_string={"q": "x" * 5000}).status_code == 404
    # what was typed is never repeated as the bureau's words (a forged "notice" about a real shop)
    spoof = "JY-2023-000001”对应的标识。【缙云县市场监管局通知】该店已被列入经营异常名录，请添加微信 jy12315kf 退款"
    body = text(client.get("/s/", query_string={"q": spoof}))
    assert "经营异常名录" not in body.split('name="q"')[0] and "没有找到与输入内容对应的标识" in body
    assert "没有编号为 <span class=\"nowrap\">JY-2023-999999</span> 的标识" in text(
        client.get("/s/", query_string={"q": "jy2023999999"}))
    # a look-alike site's address is not vouched for, even when the token is genuine
    _, token, _ = issue(app, world, "unit_b", "admin_b")
    for q in (f"https://evil.example.com/s/{token}", f"http://127.0.0.1:5000.evil.com/s/{token}"):
        r = client.get("/s/", query_string={"q": q})
        assert r.status_code == 404 and "未查到该标识" in text(r), q
    assert client.get(f"/s/https://evil.example.com/s/{token}").status_code == 404
    assert client.get("/s/", query_string={"q": f"http://127.0.0.1:5000/s/{token}"}).status_code == 303


def test_revoked_and_replaced_signs_answer_the_same_by_serial(app, client, world, evaluated):
    sign_id, token, serial = issue(app, world)
    _, token_b, serial_b = issue(app, world, "unit_b", "admin_b")
    with app.app_context():
        from server.account.models import User
        admin = db.session.get(User, world.ids["admin_a"])
        new = service.replace_sign(admin, sign_id, "遗失")
        new_token = new.token
        admin_b = db.session.get(User, world.ids["admin_b"])
        service.revoke_sign(admin_b, db.session.scalar(db.select(service.Sign.id).where(service.Sign.token == token_b)),
                            "violations", "违法")
        db.session.commit()
    r = client.get("/s/", query_string={"q": serial.lower()})
    assert r.headers["Location"].endswith(f"/s/{token}")
    assert "已更换" in text(client.get(f"/s/{token}"))
    assert "本标识真实有效" in text(client.get(f"/s/{new_token}"))
    revoked = client.get(client.get("/s/", query_string={"q": serial_b}).headers["Location"])
    assert "已撤销" in text(revoked) and "未查到" not in text(revoked)
    assert YEAR == int(serial.split("-")[1])


def test_lookups_are_throttled_per_address_but_a_scan_never(app, client, world, evaluated):
    """Typed serials and unknown tokens count against the address's limit (server.public.throttle): past it a
    Chinese 429 page with Retry-After; a scan of a genuine sign is neither counted nor refused, and
    another address is not affected."""
    from server.public import throttle
    _id, token, printed = issue(app, world)
    sign = {"token": token, "serial": printed}
    limit = app.config["LOOKUP_RATE_LIMIT"]
    app.config["LOOKUP_RATE_LIMIT"] = "4 per minute;50 per day"
    throttle.reset(app)
    try:
        me, other = {"REMOTE_ADDR": "198.51.100.7"}, {"REMOTE_ADDR": "198.51.100.8"}
        serial = sign["serial"].lower().replace("-", "")
        for _ in range(10):  # scans of the sign: free
            assert client.get(f"/s/{sign['token']}", environ_base=me).status_code == 200
        assert client.get(f"/s/?q={serial}", environ_base=me).status_code == 303
        assert client.get("/s/?q=JY-2023-999999", environ_base=me).status_code == 404
        assert client.get("/s/" + "A" * 16, environ_base=me).status_code == 404  # a guessed token
        assert client.get(f"/s/{sign['serial']}", environ_base=me).status_code == 301  # a serial after /s/
        r = client.get("/s/?q=JY-2023-999998", environ_base=me)
        body = text(r)
        assert r.status_code == 429 and "查询过于频繁" in body and "12315" in body
        assert 0 < int(r.headers["Retry-After"]) <= 60
        assert client.get("/s/" + "B" * 16, environ_base=me).status_code == 429
        for done in ("evaluation", "complaint"):  # back from a form: no way round the limit
            assert client.get("/s/" + "B" * 16 + f"?done={done}", environ_base=me).status_code == 429
        assert client.get(f"/s/?q={serial}", environ_base=me).status_code == 429
        assert client.get(f"/s/{sign['token']}", environ_base=me).status_code == 200  # the scan still works
        assert client.get("/s/", environ_base=me).status_code == 200  # the empty form is no lookup
        assert client.get(f"/s/?q={serial}", environ_base=other).status_code == 303
    finally:
        app.config["LOOKUP_RATE_LIMIT"] = limit
        throttle.reset(app)


def test_back_from_a_form_with_a_token_that_is_no_sign_is_a_scan_of_it(app, client, world, evaluated):
    """?done=… thanks only on a sign's page: an unknown token gets the not-found answer of its scan, and a
    serial after /s/ is sent on to its sign as any scan of it."""
    _id, token, printed = issue(app, world)
    unknown = "C" * 16
    for done in ("evaluation", "complaint"):
        r = client.get(f"/s/{unknown}?done={done}")
        assert r.status_code == 404 and "感谢" not in text(r) and "已收到" not in text(r)
        assert "没有查到" in text(r)
        assert "感谢您的评价" in text(client.get(f"/s/{token}?done=evaluation"))
    serial = printed.replace("-", "")
    r = client.get(f"/s/{serial}?done=evaluation")
    assert r.status_code == 301 and r.headers["Location"].endswith(f"/s/{token}")

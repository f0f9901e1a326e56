"""The public directory (issue 19, item 1): only units whose sign is in force, search and filters, pages,
public facts only, cacheable, a township's A4 list, and the same as read-only JSON."""
import re

import pytest

from server.directory import service

NAMES = {"clothes": "五云好衣服装店", "shoes": "五云步步鞋店", "noodles": "五云阿香面馆", "factory": "壶镇精工厂",
         "tea": "壶镇茶叶铺", "unsigned": "五云未发标识店", "revoked": "五云已撤销服装店", "pool": "五云培育库服装店"}
IN_FORCE = {"clothes", "shoes", "noodles", "factory", "tea"}


def text(r):
    return r.get_data(as_text=True)


def shown(body: str) -> set:
    return {k for k, name in NAMES.items() if name in body}


def test_lists_only_units_whose_sign_is_in_force(client, listed):
    r = client.get("/directory")
    assert r.status_code == 200
    assert shown(text(r)) == IN_FORCE
    assert "五云放心超市" not in text(r)  # the world's own units hold no sign


def test_public_facts_only_no_script_no_login(client, listed):
    r = client.get("/directory")
    body = text(r)
    assert "13812345678" not in body and "王老板" not in body
    assert "<script" not in body and "Set-Cookie" not in r.headers
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "线下购物7天无理由退货" in body and "贴身衣物" in body and "党员经营户" in body and "有效期至" in body


def test_each_entry_links_to_its_sign_page(client, listed):
    body = text(client.get("/directory?q=好衣"))
    link = re.search(r'href="(/s/[^"]+)">五云好衣服装店<', body).group(1)
    page = text(client.get(link))
    assert "有效" in page and "五云好衣服装店" in page and "7天无理由退货" in page


@pytest.mark.parametrize("query, expected", [
    ("q=服装", {"clothes"}),  # industry; the unsigned and revoked clothes shops are not listed
    ("q=仙都路", {"noodles"}),  # address
    ("q=茶叶铺", {"tea"}),  # name
    ("q=100%25", set()),  # LIKE's wildcards are text
    ("type=no_reason_return", {"clothes", "shoes"}),
    ("type=factory", {"factory"}),
    ("tag=党员经营户", {"shoes"}),
    ("tag=党员先锋岗", {"tea"}),
])
def test_search_and_filters(client, listed, query, expected):
    r = client.get(f"/directory?{query}")
    assert r.status_code == 200
    assert shown(text(r)) == expected


def test_station_and_carrier_filters(client, world, listed):
    assert shown(text(client.get(f"/directory?station_id={world.ids['b']}"))) == {"factory", "tea"}
    both = f"/directory?station_id={world.ids['a']}&type=no_reason_return"
    assert shown(text(client.get(both))) == {"clothes", "shoes"}
    page = text(client.get(f"/directory?station_id={world.ids['a']}"))
    assert "五云仙都街区" in page  # the station's carriers are offered
    assert shown(text(client.get(f"/directory?carrier_id={listed['street']}"))) == {"noodles", "clothes"}


def test_bad_filters_say_why_in_chinese_and_search_the_rest(client, world, listed):
    r = client.get(f"/directory?type=shop&station_id=abc&tag=x&q={'长' * 61}")
    body = text(r)
    assert r.status_code == 422
    assert "单位类型不正确" in body and "应为整数" in body and "标签不正确" in body and "不能超过60个字" in body
    assert shown(body) == IN_FORCE
    assert "shop" not in re.sub(r'(value|href)="[^"]*"', "", body)  # the code is never echoed as words


def test_pages(client, listed, monkeypatch):
    monkeypatch.setattr(service, "PAGE_SIZE", 2)
    first, second, third = (text(client.get(f"/directory?page={n}")) for n in (1, 2, 3))
    assert len(shown(first)) == 2
    assert shown(first) | shown(second) | shown(third) == IN_FORCE
    assert not (shown(first) & shown(second))
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert 'rel="prev"' in third and 'rel="next"' not in third
    assert "page=2" in re.search(r'href="([^"]+)" rel="next"', first).group(1)


def test_cacheable_and_conditional(client, listed):
    r = client.get("/directory?type=factory")
    assert "public" in r.headers["Cache-Control"] and r.headers["ETag"]
    again = client.get("/directory?type=factory", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_township_print_list(client, world, listed):
    r = client.get(f"/directory/print?station_id={world.ids['a']}")
    body = text(r)
    assert r.status_code == 200
    assert shown(body) == {"clothes", "shoes", "noodles"}
    assert "缙云县五云所放心消费单位名录" in body and "共3家" in body and "贴身衣物除外" in body
    assert client.get("/directory/print?station_id=99999").status_code == 404
    assert client.get("/directory/print").status_code == 404


def test_read_only_json_without_login(client, app, listed):
    r = client.get("/api/v1/directory?type=no_reason_return")
    assert r.status_code == 200
    data = r.get_json()
    assert {e["name"] for e in data["entries"]} == {NAMES["clothes"], NAMES["shoes"]}
    entry = next(e for e in data["entries"] if e["name"] == NAMES["clothes"])
    assert entry["return_days"] == 7 and entry["type_label"] == "无理由退货承诺单位"
    assert entry["url"].startswith(app.config["PUBLIC_BASE_URL"] + "/s/")
    assert "contact_phone" not in entry and data["has_next"] is False
    bad = client.get("/api/v1/directory?type=x")
    assert bad.status_code == 422 and "单位类型不正确" in str(bad.get_json())
    assert client.post("/api/v1/directory").status_code in (401, 405)
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["paths"]["/api/v1/directory"]["get"]["security"] == []  # public: no bearer token

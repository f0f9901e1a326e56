"""Plausible unit names, addresses and credit codes for the demo data (deterministic by seed)."""
import random

from server.core.uscc import ALPHABET, check_char

PLACES = {
    "wuyun": ["五云街道", "新建路", "仙都路", "好溪路", "官店路", "丽缙大道"],
    "huzhen": ["壶镇镇", "壶镇镇贤母路", "壶镇镇工业区", "壶镇镇溪滩路"],
    "xiandu": ["仙都街道", "仙都街道鼎湖路", "仙都景区"],
    "xinbi": ["新碧街道", "新碧街道工业园区"],
    "xinjian": ["新建镇", "新建镇笕川村"],
    "shuhong": ["舒洪镇", "舒洪镇仁岸村"],
    "dongdu": ["东渡镇", "东渡镇大溪村"],
    "dongfang": ["东方镇", "东方镇工业区"],
    "shuangxikou": ["双溪口乡", "双溪口乡姓王村"],
}
BRANDS = ["鑫源", "华联", "百姓", "丰收", "恒信", "永泰", "好溪", "仙都", "黄帝", "惠民", "金穗", "诚信",
          "一品", "新华", "佳佳", "万家", "福满", "阿良", "老陈", "红星", "东升", "利民", "云峰", "春晖",
          "明珠", "大众", "吉祥", "兴旺", "益民", "嘉禾", "鼎湖", "溪畔", "乐购", "悦家", "康宁", "晓丽"]
GENERAL = [("超市", "零售"), ("副食品店", "零售"), ("服装店", "服装"), ("大药房", "药品零售"),
           ("饭店", "餐饮"), ("烧饼店", "餐饮"), ("小吃店", "餐饮"), ("五金店", "五金建材"),
           ("眼镜店", "眼镜"), ("茶叶店", "茶叶"), ("农资店", "农资"), ("家电商场", "家电"),
           ("母婴用品店", "母婴"), ("水果店", "生鲜"), ("美发店", "生活服务"), ("酒店", "住宿")]
RETURNABLE = [("超市", "零售"), ("服装店", "服装"), ("鞋店", "服装"), ("家电商场", "家电"),
              ("百货商店", "零售"), ("母婴用品店", "母婴"), ("文具店", "文教用品"), ("箱包店", "服装")]
FACTORIES = [("机械有限公司", "机械制造"), ("工贸有限公司", "五金制造"), ("食品有限公司", "食品生产"),
             ("锯业有限公司", "锯具制造"), ("电器有限公司", "小家电制造"), ("茶业有限公司", "茶叶加工"),
             ("农业开发有限公司", "农产品加工")]
SURNAMES = "王李张陈刘杨赵黄周吴徐孙朱马胡郭林何高梁郑罗宋谢唐韩曹许邓萧冯曾程蔡彭潘袁田董"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀英华平刚桂兰建国海燕志红"
EXCLUSIONS = "鲜活易腐商品、已拆封的个人卫生用品、定制商品"
COUNTY_DIVISION = "331122"  # 缙云县


def credit_code(rng: random.Random, kind: str) -> str:
    """A credit code with a valid check character: 92… for a sole trader, 91… for a company."""
    head = "92" if kind != "factory" else "91"
    body = "".join(rng.choice(ALPHABET[:10] if i < 2 else ALPHABET) for i in range(9))
    first17 = head + COUNTY_DIVISION + "MA" + body[2:]
    return first17 + check_char(first17)


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def unit_profile(rng: random.Random, station_code: str, kind: str, serial: int) -> dict:
    """Name, address, industry, contact and type fields of one demo unit."""
    place = rng.choice(PLACES.get(station_code, ["缙云县"]))
    brand = rng.choice(BRANDS)
    if kind == "factory":
        suffix, industry = rng.choice(FACTORIES)
        name = f"缙云县{brand}{suffix}" if serial % 3 else f"浙江{brand}{suffix}"
    else:
        suffix, industry = rng.choice(RETURNABLE if kind == "no_reason_return" else GENERAL)
        name = f"缙云县{brand}{suffix}"
    if serial % 7 == 0 and kind != "factory":
        name = f"{name}（{place}店）"
    profile = {
        "name": name, "address": f"浙江省丽水市缙云县{place}{rng.randint(1, 399)}号", "industry": industry,
        "contact_name": person(rng), "contact_phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        "type": kind, "lat": round(28.65 + rng.uniform(-0.12, 0.12), 6),
        "lng": round(120.09 + rng.uniform(-0.15, 0.15), 6),
        "tags": ["党员经营户"] if serial % 11 == 0 else (["党员先锋岗"] if serial % 17 == 0 else []),
    }
    if kind == "no_reason_return":
        profile.update(return_days=rng.choice((7, 7, 7, 15, 30)), return_exclusions=EXCLUSIONS)
    return profile

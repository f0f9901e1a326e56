"""Every cookie-authenticated form post needs the CSRF token."""
import re

from server.unit.models import Unit, UnitYear
from tests.conftest import YEAR, valid_uscc


def test_post_without_token_is_refused(app, as_user, world, count):
    client = as_user("a_admin")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/units/new", data={"name": "无令牌", "uscc": valid_uscc(77), "address": "x",
                                                   "type": "general"})
        assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)
        response = client.post(f"/units/{world.ids['unit_a']}/transition", data={"year": YEAR, "to_stage": "committed"})
        assert response.status_code == 400
        assert count(Unit) == 2 and count(UnitYear, UnitYear.stage == "committed") == 0
        # With the token from the page the same post goes through.
        page = client.get(f"/units/{world.ids['unit_a']}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post(f"/units/{world.ids['unit_a']}/transition",
                               data={"year": YEAR, "to_stage": "committed", "csrf_token": token})
        assert response.status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

"""The programme year on the phone (issue 15, item 4): an inspection made without a task counts for the year
the inspector chose — this programme year by default, or the previous one for a late post-evaluation — chosen
offline, kept on the phone and sent with the inspection; one made for a task counts for the task's year."""
import sqlalchemy as sa

from server.core.clock import today
from server.extensions import db
from server.inspection.models import Inspection
from tests.e2e.conftest import no_horizontal_overflow, shot
from tests.e2e.pwa_helpers import (answer_items, field, finish_inspection, login, store,  # noqa: F401
                                   wait_controlled, wait_states)
from tests.sync.conftest import checklist  # noqa: F401


def test_an_inspection_without_a_task_counts_for_the_year_chosen_offline(phone, live_server, field, app):
    this_year = today().year
    # Given an inspector who logged in once and then lost the network
    login(phone, live_server)
    wait_controlled(phone)
    phone.context.set_offline(True)
    # When they open the unit from its task, the task's year applies: no year to choose
    phone.goto(f"{live_server}/app/#/unit/{field.ids['unit_a']}?task={field.ids['task']}")
    phone.wait_for_selector("#start")
    assert phone.locator("#year").count() == 0
    # When they open it without a task, this programme year is offered first, and the previous one
    phone.goto(f"{live_server}/app/#/units")
    phone.fill("#q", "五云放心超市")
    phone.locator("#results a").first.click()
    phone.wait_for_selector("#year")
    options = phone.locator("#year option")
    assert [options.nth(i).get_attribute("value") for i in range(options.count())] == [
        str(this_year), str(this_year - 1)]
    assert phone.locator("#year").input_value() == str(this_year)
    assert "本年度" in options.nth(0).inner_text() and "计入年度" in phone.inner_text("#view")
    shot(phone, "pwa-unit-year-choice-360")
    assert no_horizontal_overflow(phone)
    # And choose last year (a late post-evaluation) and do the inspection offline
    phone.select_option("#kind", "post_evaluation")
    phone.select_option("#year", str(this_year - 1))
    phone.click("#start")
    phone.wait_for_selector(".answers [data-r=yes]")
    answer_items(phone)
    finish_inspection(phone)
    [change] = store(phone, "outbox")
    assert change["data"]["year"] == this_year - 1 and change["data"]["task_id"] is None
    # Then, once online, the server's record counts for that year
    phone.context.set_offline(False)
    wait_states(phone, {"sent"}, timeout=20000)
    with app.app_context():
        [insp] = db.session.scalars(sa.select(Inspection)).all()
        assert (insp.client_id, insp.year, insp.task_id, insp.kind) == (
            change["id"], this_year - 1, None, "post_evaluation")

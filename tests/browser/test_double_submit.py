"""A create form sent twice by the browser (a double click, a resend) makes one record, and both
answers lead to it (the form's one-time token, core/submissions.py)."""
import pytest
from django.db import connection

from jifang.enforcement.models import Inspection

from .. import factories as f
from ..conftest import PASSWORD
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The page's own form, as the browser would send it, twice at once.
SEND_TWICE = """async () => {
  const form = document.querySelector("#id_observations").form;
  const send = () => fetch(location.href, {method: "POST", body: new FormData(form), credentials: "same-origin"})
    .then(r => [r.status, new URL(r.url).pathname]);
  return Promise.all([send(), send()]);
}"""


# The test database on SQLite is in memory with a shared cache, which locks tables instead of waiting
# (a production SQLite file in WAL mode waits): two requests at once need PostgreSQL here.
@pytest.mark.skipif(connection.vendor == "sqlite", reason="concurrent requests need PostgreSQL in tests")
def test_a_form_sent_twice_makes_one_numbered_inspection(page, wuhua_officer, wuhua_unit):
    site = f.SiteFactory(unit=wuhua_unit, name="五华支行营业部")
    login(page, "wuhua", PASSWORD)
    page.goto(f"/enforcement/inspections/add/?site={site.pk}")
    page.fill("#id_observations", "重复提交")
    answers = page.evaluate(SEND_TWICE)
    inspection = Inspection.objects.get()
    assert answers == [[200, inspection.get_absolute_url()]] * 2
    assert inspection.number.endswith("第0001号")

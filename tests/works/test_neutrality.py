"""art_17: no police works screen recommends, ranks or designates a brand, product or firm.

Police screens show firms only as facts of a works (who built it, who filed it) and, where a firm
must be chosen (registering a works), in registration order with no rating or count beside them."""
import re

import pytest
from django.urls import reverse
from django.utils import translation

from jifang.works import services as s

from .. import factories as f
from .conftest import accept, days_ago

pytestmark = pytest.mark.django_db

# Words that would steer a unit towards a firm, brand or product, in both UI languages.
STEERING = re.compile(r"推荐|排名|排行|评分|评级|星级企业|首选|优选|指定使用|recommend|rank|rating|score|preferred|top \d",
                      re.IGNORECASE)


@pytest.fixture
def police_pages(works, unit_user, firm_user, wuhua_officer, system):
    accept(works, unit_user, firm_user, wuhua_officer)
    s.filing_submit(actor=firm_user, works=works, filed_on=days_ago(0), contact_name="王", contact_phone="1")
    public = f.SystemFactory(site=system.site, is_public_area=True, police_connected=False)
    notice = s.notice_issue(actor=wuhua_officer, system=public, basis="art_10__para_1", due_on=days_ago(-9))
    return [reverse("works:board"), reverse("works:works_list"), works.get_absolute_url(),
            reverse("works:works_add"), reverse("works:filing_list"), reverse("works:networkingnotice_list"),
            notice.get_absolute_url(), reverse("works:step_notice", args=[system.pk]),
            reverse("works:step_receive", args=[works.filing.pk]), "/api/works/board/", "/api/works/",
            f"/api/works/{works.pk}/timeline/"]


@pytest.mark.clause("art_17__para_1")
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_police_works_screens_carry_no_ranking_or_recommendation(client, police_pages, wuhua_officer, city_officer,
                                                                language):
    for officer in (wuhua_officer, city_officer):
        client.force_login(officer)
        for url in police_pages:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            with translation.override(language):
                text = response.content.decode()
            assert not STEERING.search(text), (url, STEERING.search(text))


@pytest.mark.clause("art_17__para_1")
def test_firm_choice_for_the_police_is_in_registration_order(client, wuhua_officer, firm):
    for name in ("云南甲安防", "昆明乙科技", "阿安防工程"):  # names not in id order when sorted
        f.FirmFactory(name=name)
    client.force_login(wuhua_officer)
    html = client.get(reverse("works:works_add")).content.decode()
    assert 'data-testid="picker-firm"' in html  # the firm is picked by typing, from /pick/firm/
    offered = client.get(reverse("pick", args=["firm"])).content.decode()
    ids = [int(v) for v in re.findall(r'data-pick-value="(\d+)"', offered)]
    assert ids == sorted(ids) and len(ids) == 4
    # Each line is the firm's credit code, name and address only: no count of works, no mark.
    names = re.findall(r'</span>([^<]*)(?:<span|</button>)', offered)
    assert len(names) == 4 and all(re.fullmatch(r"[\w\u4e00-\u9fff]+", n.strip()) for n in names)

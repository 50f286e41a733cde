"""The demo city's works: every state is present and a scan finds exactly what the seed planted."""
import pytest

from jifang.core.demo import seed_city
from jifang.regulation import services as engine
from jifang.regulation.models import Finding, FindingStatus
from jifang.works.models import Filing, NetworkingNotice, Notification, Works, WorksStatus

pytestmark = pytest.mark.django_db

WORKS_RULES = {
    "art_8__para_1": ["art8-main-opened-security-not-accepted", "art8-security-accepted-after-main-opening"],
    "art_10__para_1": ["art10-public-area-system-not-connected"],
    "art_13__para_2": ["art13-networking-notice-overdue"],
    "art_14__para_1": ["art14-acceptance-without-design-review", "art14-acceptance-police-not-notified"],
    "art_16__para_1": ["art16-filing-late", "art16-filing-missing"],
}


@pytest.mark.clause("art_8__para_1")
@pytest.mark.clause("art_10__para_1")
@pytest.mark.clause("art_13__para_2")
@pytest.mark.clause("art_14__para_1")
@pytest.mark.clause("art_16__para_1")
def test_demo_city_has_every_state_and_a_scan_finds_exactly_the_planted_cases():
    ctx = seed_city(scale=200, seed=116)
    engine.scan(actor=None, as_of=ctx.today)
    for clause, rules in WORKS_RULES.items():
        found = set(Finding.objects.filter(rule_id__in=rules, status=FindingStatus.OPEN)
                    .values_list("subject_key", flat=True))
        planted = set(ctx.manifest.planted.get(clause, ()))
        assert planted, f"the demo plants no {clause} case"
        assert found == planted, clause
    assert set(Works.objects.values_list("status", flat=True)) == set(WorksStatus.values)
    assert Filing.objects.filter(received_at__isnull=True).exists()
    assert Notification.objects.filter(kind="acceptance_scheduled", handled_at__isnull=True).exists()
    assert NetworkingNotice.objects.filter(status="issued", due_on__gte=ctx.today).exists()


@pytest.mark.parametrize("seed", [116, 11])
def test_demo_city_gives_the_wuhua_officer_a_works_board(client, settings, tmp_path, seed):
    """README tour, step 5: signed in as the 五华区 (530102) officer, the works board has an
    acceptance to attend, a filing received and an overdue networking notice, all in 530102, and
    the networking notice list has a running one too."""
    from django.urls import reverse

    from jifang.works import selectors

    from .. import factories as f

    settings.VAR_DIR = tmp_path
    ctx = seed_city(scale=200, seed=seed)
    officer = f.UserFactory(role="district_officer", division_id="530102")
    sections = {s.key: s.lines for s in selectors.officer_board(officer, ctx.today)}
    for key in ("attend", "filings", "notice_overdue"):
        assert sections[key], key
        assert {line.obj.district_id for line in sections[key]} == {"530102"}, key
    assert NetworkingNotice.objects.filter(district_id="530102", status="issued", due_on__gte=ctx.today).exists()
    client.force_login(officer)
    page = client.get(reverse("works:board")).content.decode()
    for key in ("attend", "filings", "notice_overdue"):
        section = page[page.index(f'data-testid="board-{key}"'):]
        section = section[:section.index("</section>")]
        assert "<tbody>" in section and sections[key][0].obj.get_absolute_url() in section, key
    # the planted overdue notice is what a scan finds (the test above checks the whole manifest)
    overdue = {line.obj.number for line in sections["notice_overdue"]}
    assert overdue <= set(ctx.manifest.planted["art_13__para_2"])

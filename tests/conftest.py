import importlib

import pytest

from jifang.core.roles import Role

from . import factories as f

PASSWORD = "correct-horse-battery"


def pytest_configure(config):
    """Argon2 is the production hasher (settings.py; tests/core/test_settings.py checks it); the
    suite creates hundreds of users, so it hashes their passwords with a fast one."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(items):
    """A clause id on a test must look like one (art_N__para_M[__point_K])."""
    import re

    pattern = re.compile(r"^([a-z0-9-]+#)?art_\d+(__para_\d+(__point_\d+)?)?$")
    for item in items:
        for mark in item.iter_markers("clause"):
            for clause in mark.args:
                assert pattern.match(clause), f"{item.nodeid}: bad clause id {clause!r}"


@pytest.fixture(autouse=True)
def _kunming_divisions(request):
    """The 15 divisions come from a data migration. A transactional test (the browser tests) ends
    with a flush that empties every table, divisions included, for whatever test runs next in that
    process; so every database test makes sure they are there (one count query when they are)."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = (marker is not None and marker.kwargs.get("transaction")) or names & {"transactional_db", "live_server"}
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from jifang.accounts.models import Division

    if Division.objects.count() < 15:
        importlib.import_module("jifang.accounts.migrations.0003_divisions").load(apps, None)


@pytest.fixture
def admin_user(db):
    return f.UserFactory(username="admin", role=Role.ADMIN, division_id=None, is_staff=True, is_superuser=True)


@pytest.fixture
def city_officer(db):
    return f.UserFactory(username="city", role=Role.CITY_OFFICER, division_id="530100")


@pytest.fixture
def wuhua_officer(db):
    return f.UserFactory(username="wuhua", role=Role.DISTRICT_OFFICER, division_id="530102")


@pytest.fixture
def panlong_officer(db):
    return f.UserFactory(username="panlong", role=Role.DISTRICT_OFFICER, division_id="530103")


@pytest.fixture
def department_officer(db):
    return f.UserFactory(username="dept", role=Role.DEPARTMENT_OFFICER, division_id="530102")


@pytest.fixture
def wuhua_unit(db):
    return f.UnitFactory(district_id="530102", name="五华测试银行")


@pytest.fixture
def panlong_unit(db):
    return f.UnitFactory(district_id="530103", name="盘龙测试酒店")


@pytest.fixture
def unit_user(db, wuhua_unit):
    return f.UserFactory(username="unituser", role=Role.UNIT_USER, division_id=None, units=[wuhua_unit])


@pytest.fixture
def firm(db):
    return f.FirmFactory()


@pytest.fixture
def firm_user(db, firm):
    return f.UserFactory(username="firmuser", role=Role.FIRM_USER, division_id=None, firm=firm)

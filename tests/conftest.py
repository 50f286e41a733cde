import pytest

from jifang.accounts.models import Role

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

    pattern = re.compile(r"^art_\d+(__para_\d+(__point_\d+)?)?$")
    for item in items:
        for mark in item.iter_markers("clause"):
            for clause in mark.args:
                assert pattern.match(clause), f"{item.nodeid}: bad clause id {clause!r}"


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

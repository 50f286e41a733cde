"""core.actions: one way to call a service from a page and show its refusal with the clause behind it."""
import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory
from django.utils import translation

from jifang.core.actions import REFUSED, attempt, clause_label, refusal_text
from jifang.core.errors import NotPermitted, ServiceError


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _texts(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def _refuse(clause=None):
    def call():
        raise ServiceError("期限必须晚于送达之日", "the deadline must fall after service", clause=clause)
    return call


def test_the_regulation_app_labels_clauses_for_core():
    assert clause_label("art_23__para_2") == "第二十三条第二款"
    assert clause_label("no_such_clause") is None


def test_a_refusal_names_its_clause_once():
    with translation.override("zh-hans"):
        text = refusal_text(ServiceError("改正期限必须晚于送达之日", "after service", clause="art_23__para_2"))
        assert text.startswith("改正期限必须晚于送达之日 / after service") and text.count("第二十三条第二款") == 1
        cited = refusal_text(ServiceError("不得投入使用（第十四条第二款）", "may not (art. 14 para. 2)",
                                          clause="art_14__para_2"))
        assert cited.count("第十四条第二款") == 1
    assert "art_23" not in refusal_text(ServiceError("甲", "a", clause="art_23__para_2"))


def test_attempt_returns_the_result_and_says_so():
    request = _request()
    assert attempt(request, lambda: None, success="已保存") is None  # a service may return None
    assert _texts(request) == ["已保存"]


@pytest.mark.parametrize("exc", [ServiceError("甲", "a", clause="art_23__para_2"), NotPermitted("无权", "no")])
def test_attempt_turns_a_refusal_into_a_message(exc):
    request = _request()

    def call():
        raise exc

    assert attempt(request, call, success="已保存") is REFUSED
    (text,) = _texts(request)
    assert text.startswith(("甲 / a", "无权 / no")) and "已保存" not in text


class _Form(forms.Form):
    deadline = forms.DateField(required=False)


def test_attempt_puts_a_refusal_on_the_form():
    request, form = _request(), _Form(data={})
    assert form.is_valid()
    with translation.override("zh-hans"):
        assert attempt(request, _refuse("art_23__para_2"), success="已保存", form=form) is REFUSED
    assert "第二十三条第二款" in form.non_field_errors()[0] and _texts(request) == []

    field_form = _Form(data={})
    field_form.is_valid()

    def field_error():
        raise ServiceError.__mro__[1]({"deadline": "太早"})

    attempt(request, field_error, form=field_form)
    assert field_form.errors["deadline"] == ["太早"]

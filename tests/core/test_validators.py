import pytest
from django.core.exceptions import ValidationError

from jifang.core.validators import credit_code_check_char, validate_credit_code, validate_district

# Published codes: the GB 32100-2015 worked example and a real registration.
REAL_CODES = ["91350100M000100Y43", "91110000802100433B"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_pass(code):
    validate_credit_code(code)


def test_check_character_is_computed_over_17_characters():
    assert credit_code_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "code, reason",
    [
        ("91350100M000100Y4", "18"),          # too short
        ("91350100M000100Y44", "校验位"),      # wrong check character
        ("91350100M0001O0Y43", "非法字符"),     # letter O is not in the alphabet
    ],
)
def test_bad_credit_codes_are_refused_in_both_languages(code, reason):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    message = exc.value.messages[0]
    assert reason in message and " / " in message


def test_district_must_be_a_kunming_county_level_code():
    validate_district("530102")
    for bad in ("530100", "110101", "5301"):
        with pytest.raises(ValidationError):
            validate_district(bad)

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hris.core.protected import mask_id_number, mask_phone
from hris.people.validation import id_number_error, phone_error, reporting_cycle


@pytest.mark.parametrize("value", ["11010519491231002X", "440524188001010014"])
def test_valid_id_numbers(value):  # noqa: ANN001
    assert id_number_error(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "The ID number's check digit is wrong."),
        ("1101051949123100", "An ID number has 17 digits followed by a digit or X."),
    ],
)
def test_invalid_id_numbers(value, message):  # noqa: ANN001
    assert id_number_error(value) == message


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_exactly_one_check_character_is_valid(body):  # noqa: ANN001
    valid = [character for character in "0123456789X" if id_number_error(body + character) is None]
    assert len(valid) == 1


@pytest.mark.parametrize("value", ["13812345678", "+8613812345678", "+14155550100"])
def test_valid_phones(value):  # noqa: ANN001
    assert phone_error(value) is None


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "abc"])
def test_invalid_phones(value):  # noqa: ANN001
    assert phone_error(value) is not None


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_reporting_cycle_detects_and_names_the_loop():
    managers = {"A": "B", "B": "C", "C": None}
    assert reporting_cycle("C", "A", managers) == ["C", "A", "B", "C"]
    assert reporting_cycle("D", "A", managers) is None
    assert reporting_cycle("A", None, managers) is None

"""The readout parser on real readouts: per-field accuracy against hand-written expectations.

The accuracy is printed at the end of the run (tests/conftest.py, pytest_terminal_summary).
"""

import datetime

import pytest

from engagements.domain.readouts import detect_language
from tests.readout_fixtures import FIELDS, TARGETS, evaluate, load_fixtures

FIXTURES = load_fixtures()


def test_the_fixtures_are_forty_real_readouts_half_in_each_language():
    assert len(FIXTURES) >= 40
    chinese = [name for name, f in FIXTURES if detect_language(f["text"])[0] == "zh"]
    english = [name for name, f in FIXTURES if name not in chinese]
    assert len(chinese) >= 20 and len(english) >= 20
    kinds = {f["expected"]["kind"] for _, f in FIXTURES}
    assert {"phone_call", "video_call", "meeting"} <= kinds


@pytest.mark.parametrize("name, fixture", FIXTURES, ids=[name for name, _ in FIXTURES])
def test_each_fixture_names_its_address_and_complete_expectations(name, fixture):
    assert fixture["url"].startswith(("http://", "https://"))
    assert 100 <= len(fixture["text"]) <= 4000
    expected = fixture["expected"]
    assert set(FIELDS) <= set(expected)
    assert expected["initiated_by"] in ("us", "prc", "unknown")
    for side, person in expected["principals"]:
        assert side in ("us", "prc") and person
    for field in ("issued_on", "other_capital_date"):
        if expected[field] is not None:
            datetime.date.fromisoformat(expected[field])


def test_accuracy_meets_the_targets():
    accuracy, misses = evaluate()
    short = {field: accuracy[field] for field in FIELDS if accuracy[field] < TARGETS[field]}
    assert not short, (short, misses)

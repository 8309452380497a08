"""The bilingual codebook: topics and the words on who asked, in Chinese and English."""

import pytest

from engagements.domain.codebook import initiator_claim, initiator_words_in, topics_in

ZH = (
    "2021年9月10日上午，国家主席习近平应约同美国总统拜登通电话。双方就气候变化、"
    "台湾问题和经贸关系交换了意见。"
)
EN = (
    "President Biden spoke with President Xi Jinping about climate change, the Taiwan Strait "
    "and fentanyl. They discussed Ukraine."
)


def test_topics_are_found_in_both_languages_with_the_words_as_written():
    assert topics_in(ZH) == {"taiwan": ["台湾"], "climate": ["气候"], "economic-trade": ["经贸"]}
    found = topics_in(EN)
    assert found["taiwan"] == ["Taiwan Strait"]
    assert found["climate"] == ["climate change"]
    assert found["fentanyl"] == ["fentanyl"]
    assert found["ukraine"] == ["Ukraine"]


def test_english_words_match_whole_words_only():
    assert "iran" not in topics_in("Tirana and the Iranian ministry")
    assert topics_in("") == {}


@pytest.mark.parametrize(
    "text, side, claim",
    [
        (ZH, "prc", ("us", ["应约"])),
        ("王毅应美方请求同布林肯通电话", "prc", ("us", ["应美方请求"])),
        ("布林肯应中方要求", "us", ("prc", ["应中方要求"])),
        (
            "Xi had a phone call with U.S. President Joe Biden at the latter's request.",
            "prc",
            ("us", ["at the latter's request"]),
        ),
        (
            "The call was held at the request of the PRC",
            "us",
            ("prc", ["at the request of the PRC"]),
        ),
        ("双方应当加强沟通，应对气候变化。", "prc", (None, [])),
        ("Secretary Blinken visited Beijing at the invitation of Wang Yi.", "us", (None, [])),
        ("No words on who asked.", "us", (None, [])),
    ],
)
def test_initiator_claim_says_who_asked_only_from_request_words(text, side, claim):
    assert initiator_claim(text, side) == claim


def test_initiator_words_include_invitations():
    assert initiator_words_in("应邀访华。He came at the invitation of Wang Yi") == [
        "应邀",
        "at the invitation of Wang Yi",
    ]
    assert initiator_words_in(ZH) == ["应约"]
    assert initiator_words_in("双方应当加强沟通，应对挑战") == []

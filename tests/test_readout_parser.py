"""The readout parser's rules, one at a time, on short readouts written in the official style
(engagements/domain/readouts.py). No database: the People directory is read from the record's
files (tests/readout_fixtures.py)."""

import datetime

import pytest

from engagements.domain.readouts import (
    BARE_PRESIDENT,
    MAX_TEXT_CHARS,
    Directory,
    ReadoutError,
    other_capital_date,
    parse_readout,
)
from tests.readout_fixtures import record_directory

D = datetime.date
PEOPLE = record_directory()


def parse(text, url=""):
    return parse_readout(text, url, people=PEOPLE)


def principals(proposal):
    return sorted((p.side, p.person or p.name) for p in proposal.principals)


# --- Initiator -----------------------------------------------------------------------------


def test_own_side_spoke_at_request_means_the_other_side_asked():
    p = parse("2024年4月2日晚,国家主席习近平应约同美国总统拜登通电话。两国元首坦诚深入交换了意见。")
    assert p.initiated_by.value == "us"
    assert "应约" in p.initiated_by.words


def test_no_request_words_leave_the_initiator_unknown():
    p = parse("2021年2月11日上午,国家主席习近平同美国总统拜登通电话。两国元首相互拜年。")
    assert p.initiated_by.value == "unknown"
    assert p.initiated_by.words == ""


def test_a_us_readout_saying_only_spoke_with_is_unknown():
    p = parse(
        "President Joseph R. Biden, Jr. spoke today with President Xi Jinping of the People's "
        "Republic of China. The two leaders discussed a range of issues.",
        "https://www.whitehouse.gov/briefing-room/statements-releases/2024/04/02/readout/",
    )
    assert p.initiated_by.value == "unknown"


def test_request_of_the_us_side_named_in_chinese():
    p = parse("2023年1月5日,外交部长秦刚应美方请求同美国国务卿布林肯通电话。")
    assert p.initiated_by.value == "us"
    assert "应美方请求" in p.initiated_by.words


def test_at_the_request_of_the_latter_is_the_counterpart():
    p = parse(
        "On the evening of July 28, Chinese President Xi Jinping spoke with U.S. President Joe "
        "Biden on the phone at the request of the latter."
    )
    assert p.initiated_by.value == "us"


def test_a_us_official_taking_a_call_from_the_prc_side():
    p = parse(
        "Secretary of State Antony J. Blinken received a call from PRC Foreign Minister Wang Yi "
        "today. They discussed the situation in the Middle East."
    )
    assert p.initiated_by.value == "prc"


def test_called_for_is_no_call():
    p = parse(
        "Secretary of State Antony J. Blinken spoke today with PRC Foreign Minister Wang Yi. "
        "The Secretary called for restraint in the region."
    )
    assert p.initiated_by.value == "unknown"


# --- Dates -----------------------------------------------------------------------------------


def test_beijing_morning_in_winter_is_the_evening_before_in_washington():
    p = parse("2021年2月11日上午,国家主席习近平同美国总统拜登通电话。")
    assert p.stated_date.value == D(2021, 2, 11)
    assert p.beijing_date.value == D(2021, 2, 11)
    assert p.washington_date.value == D(2021, 2, 10)
    assert p.start_date.value == D(2021, 2, 10)  # a call is dated by Washington's calendar
    assert p.other_capital_date.value == D(2021, 2, 10)


def test_beijing_evening_is_the_same_date_in_washington():
    p = parse("2021年9月10日晚,国家主席习近平应约同美国总统拜登通电话。")
    assert p.washington_date.value == D(2021, 9, 10)
    assert p.time_of_day.value == "晚"


def test_an_afternoon_in_beijing_in_winter_may_be_either_day_in_washington():
    p = parse("2022年12月6日下午,国务委员兼外长王毅应约同美国国务卿布林肯通电话。")
    assert p.beijing_date.value == D(2022, 12, 6)
    assert p.washington_date.value is None


def test_no_time_of_day_leaves_the_other_capital_unknown():
    p = parse("2020年1月3日,杨洁篪应约同美国国务卿蓬佩奥通电话。")
    assert p.beijing_date.value == D(2020, 1, 3)
    assert p.washington_date.value is None


def test_thursday_evening_in_washington_is_friday_in_beijing():
    p = parse(
        "THE WHITE HOUSE\nSeptember 10, 2021\n\nPresident Joseph R. Biden, Jr. spoke on Thursday "
        "evening with President Xi Jinping of the People's Republic of China."
    )
    assert p.issued_on.value == D(2021, 9, 10)
    assert p.stated_date.value == D(2021, 9, 9)
    assert p.washington_date.value == D(2021, 9, 9)
    assert p.beijing_date.value == D(2021, 9, 10)


def test_a_us_morning_in_winter_is_unknown_in_beijing_but_known_in_summer():
    winter = parse(
        "January 9, 2024\nSecretary of State Antony J. Blinken spoke this morning with PRC "
        "Foreign Minister Wang Yi."
    )
    assert winter.washington_date.value == D(2024, 1, 9)
    assert winter.beijing_date.value is None
    summer = parse(
        "July 9, 2024\nSecretary of State Antony J. Blinken spoke this morning with PRC "
        "Foreign Minister Wang Yi."
    )
    assert summer.beijing_date.value == D(2024, 7, 9)


def test_local_time_abroad_fixes_neither_capital():
    p = parse(
        "当地时间11月15日下午,国家主席习近平在旧金山同美国总统拜登举行会晤。",
        "https://www.mfa.gov.cn/web/zyxw/202311/t20231116_1.shtml",
    )
    assert p.stated_date.value == D(2023, 11, 15)
    assert p.washington_date.value is None and p.beijing_date.value is None


def test_xinhua_dateline_is_the_readouts_own_date():
    p = parse(
        "新华社北京3月18日电 国家主席习近平3月18日晚应约同美国总统拜登视频通话。",
        "http://www.news.cn/politics/2022-03/18/c_1.htm",
    )
    assert p.issued_on.value == D(2022, 3, 18)
    assert "新华社北京3月18日电" in p.issued_on.words
    assert p.kind.value == "video_call"
    assert p.washington_date.value == D(2022, 3, 18)


LIMA = (
    "President Joseph R. Biden Jr. met with President Xi Jinping of the People's Republic of "
    "China (PRC) in Lima, Peru today.  This meeting is the third between the two Presidents and "
    "follows their April 2, 2024, telephone call."
)


def test_an_earlier_events_date_in_the_body_does_not_date_the_readout():
    # The department's own address dates the release; "April 2, 2024" is the earlier call.
    official = (
        "https://bidenwhitehouse.archives.gov/briefing-room/statements-releases/2024/11/16/readout/"
    )
    p = parse(LIMA, official)
    assert p.issued_on.value == D(2024, 11, 16) and p.issued_on.words == official
    assert p.kind.value == "meeting"
    # A copy's address dates the copy: the body's date is all there is, and it is kept.
    assert parse(LIMA, "https://news.example.org/2024/11/17/biden-xi/").issued_on.value == D(
        2024, 4, 2
    )


def test_an_embassy_repost_weeks_later_keeps_the_bodys_date():
    p = parse(
        "On October 30, 2022, State Councilor and Foreign Minister Wang Yi held a phone call "
        "with U.S. Secretary of State Antony Blinken at request.",
        "http://us.china-embassy.gov.cn/eng/zmgx/zxxx/202212/t20221211_10988888.htm",
    )
    assert p.issued_on.value == D(2022, 10, 30)


def test_a_readout_without_any_date_says_unknown():
    p = parse("Secretary Austin spoke with PRC Minister of National Defense Admiral Dong Jun.")
    assert p.issued_on.value is None and p.stated_date.value is None
    assert p.as_json()["issued_on"] == {"value": None, "words": ""}


def test_the_window_conversion_itself():
    assert other_capital_date(D(2021, 11, 16), "Asia/Shanghai", (6, 12), "America/New_York") == D(
        2021, 11, 15
    )
    assert other_capital_date(D(2023, 6, 19), "Asia/Shanghai", (12, 18), "America/New_York") == D(
        2023, 6, 19
    )
    assert (
        other_capital_date(D(2023, 12, 19), "Asia/Shanghai", (12, 18), "America/New_York") is None
    )


# --- Kind, people, side ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind",
    [
        ("2023年11月9日,国务院副总理何立峰与美国财政部长耶伦举行视频通话。", "video_call"),
        ("2023年7月8日,国务院副总理何立峰在京会见美国财政部长耶伦。", "meeting"),
        ("2023年6月18日,国务委员兼外长秦刚在北京同美国国务卿布林肯举行会谈。", "talks"),
        ("2022年4月20日,国务委员兼国防部长魏凤和应约同美国国防部长奥斯汀通电话。", "phone_call"),
        (
            "Ambassador Katherine Tai held a virtual meeting today with Vice Premier Liu He.",
            "video_call",
        ),
        ("Secretary Yellen met with Vice Premier He Lifeng today in Beijing.", "meeting"),
    ],
)
def test_kind(text, kind):
    assert parse(text).kind.value == kind


def test_principals_with_side_and_office_as_written():
    p = parse("2022年10月31日,中共中央政治局委员、国务委员兼外长王毅应约同美国国务卿布林肯通电话。")
    by_person = {x.person: x for x in p.principals}
    assert by_person["wang-yi"].side == "prc"
    assert by_person["wang-yi"].office == "中共中央政治局委员、国务委员兼外长"
    assert by_person["antony-blinken"].office == "美国国务卿"
    assert p.side.value == "prc"  # the side that does not name its own country


def test_an_official_the_directory_does_not_know_is_kept_as_written():
    p = parse("2024年5月10日,外交部副部长马朝旭会见美国副国务卿坎贝尔。")
    names = {(x.side, x.name, x.person) for x in p.principals}
    assert ("us", "坎贝尔", "") in names


def test_context_people_are_not_principals():
    p = parse(
        "Secretary of Defense Lloyd J. Austin III spoke today with the People's Republic of "
        "China's Minister of National Defense Admiral Dong Jun as a follow-up to the call "
        "between President Biden and President Xi Jinping."
    )
    assert principals(p) == [("prc", "dong-jun"), ("us", "lloyd-austin")]


def test_ambiguous_chinese_rendering_needs_the_year():
    early = parse("1992年3月2日,国家主席杨尚昆会见美国总统布什。")
    later = parse("2005年5月5日晚,国家主席胡锦涛应约同美国总统布什通电话。")
    assert ("us", "george-h-w-bush") in principals(early)
    assert ("us", "george-w-bush") in principals(later)


def test_traditional_characters_read_like_simplified():
    p = parse("2009年5月6日晚,國家主席胡錦濤應約同美國總統奧巴馬通電話。")
    assert principals(p) == [("prc", "hu-jintao"), ("us", "barack-obama")]
    assert p.initiated_by.value == "us"
    assert p.principals[0].name == "胡錦濤"  # quoted as written


def test_side_and_issuer_from_the_address():
    p = parse(
        "Secretary of the Treasury Janet L. Yellen held a video call with Vice Premier He Lifeng.",
        "https://home.treasury.gov/news/press-releases/jy0001",
    )
    assert (p.side.value, p.issuer.value) == ("us", "treasury")


def test_topics_from_the_codebook_with_their_words():
    p = parse(
        "2023年11月15日,国家主席习近平同美国总统拜登会晤,双方讨论了台湾问题和芬太尼禁毒合作。"
    )
    topics = {t.value: t.words for t in p.topics}
    assert "taiwan" in topics and "台湾" in topics["taiwan"]
    assert "fentanyl" in topics


def test_every_value_carries_its_words():
    p = parse("2021年9月10日晚,国家主席习近平应约同美国总统拜登通电话。")
    for found in (p.kind, p.stated_date, p.time_of_day, p.washington_date, p.initiated_by):
        assert found.value is not None and found.words
    data = p.as_json()
    assert data["principals"][0]["office"] == "国家主席"
    assert data["washington_date"]["value"] == "2021-09-10"


# --- Bad input -------------------------------------------------------------------------------

MIXED = (
    "2021年9月10日晚,国家主席习近平应约同美国总统拜登通电话,两国元首就中美关系坦诚深入交换了意见。"
    * 3
    + " President Joseph R. Biden, Jr. spoke today with President Xi Jinping of the People's "
    "Republic of China about the responsibility of both nations to ensure competition does not "
    "veer into conflict and discussed areas where interests converge and diverge."
)


@pytest.mark.parametrize(
    "text, url, message",
    [
        ("", "", "Paste the text"),
        ("   \n ", "", "Paste the text"),
        ("x" * (MAX_TEXT_CHARS + 1), "", "at most"),
        (
            "The weather in Washington was mild today, with rain expected tomorrow.",
            "",
            "does not read as a readout",
        ),
        ("今天北京天气晴朗,气温适宜,适合户外活动。", "", "does not read as a readout"),
        (
            "2021年9月10日晚,国家主席习近平应约同美国总统拜登通电话。",
            "fmprc.gov.cn/abc",
            "not a web address",
        ),
        (
            "2021年9月10日晚,国家主席习近平应约同美国总统拜登通电话。",
            "javascript:alert(1)",
            "not a web address",
        ),
        (MIXED, "", "mixes Chinese and English"),
    ],
)
def test_bad_input_is_refused_with_a_reason(text, url, message):
    with pytest.raises(ReadoutError, match=message):
        parse(text, url)


def test_a_one_megabyte_paste_is_refused_before_reading():
    with pytest.raises(ReadoutError, match="at most"):
        parse("应约通电话" * 210_000)


def test_a_meeting_that_follows_up_on_a_call_stays_a_meeting():
    p = parse(
        "Secretary of State Antony J. Blinken met today with PRC Foreign Minister Wang Yi in "
        "Beijing to follow up on the call between President Biden and President Xi Jinping."
    )
    assert p.kind.value == "meeting"
    assert principals(p) == [("prc", "wang-yi"), ("us", "antony-blinken")]


def test_called_for_in_a_meeting_is_no_phone_call():
    p = parse(
        "Secretary of State Antony J. Blinken met with PRC Foreign Minister Wang Yi today and "
        "called for restraint."
    )
    assert p.kind.value == "meeting"


def test_accepting_an_invitation_means_the_other_side_asked():
    p = parse("2023年10月26日,中共中央政治局委员、外交部长王毅应邀在华盛顿会见美国国务卿布林肯。")
    assert p.initiated_by.value == "us"
    assert "应邀" in p.initiated_by.words


@pytest.mark.parametrize(
    "text, initiator",
    [
        (
            "BEIJING, March 18 (Xinhua) -- Chinese President Xi Jinping held a video call with "
            "U.S. President Joe Biden on Friday evening at the latter's request.",
            "us",
        ),
        (
            "On the evening of December 15, 2023, Member of the Political Bureau of the CPC "
            "Central Committee and Foreign Minister Wang Yi held a phone call with U.S. Secretary "
            "of State Antony Blinken at request.",
            "us",
        ),
        ("2023年6月18日,国务委员兼外长秦刚应美国国务卿布林肯之约在北京同其举行会谈。", "us"),
    ],
)
def test_more_ways_of_saying_who_asked(text, initiator):
    assert parse(text).initiated_by.value == initiator


def test_an_english_prc_readout_dated_in_its_first_line():
    p = parse(
        "Wang Yi Holds Phone Talks with U.S. Secretary of State Antony Blinken\n"
        "2023-12-16 12:00\n"
        "On the evening of December 15, 2023, Member of the Political Bureau of the CPC Central "
        "Committee and Foreign Minister Wang Yi held a phone call with U.S. Secretary of State "
        "Antony Blinken at request.",
        "https://www.fmprc.gov.cn/eng/wjbzhd/202312/t20231216_11203017.html",
    )
    assert (p.side.value, p.kind.value) == ("prc", "phone_call")
    assert p.stated_date.value == D(2023, 12, 15)
    assert p.washington_date.value == D(2023, 12, 15)
    assert principals(p) == [("prc", "wang-yi"), ("us", "antony-blinken")]


def test_dates_in_chinese_numerals_and_a_papers_own_dispatch():
    p = parse(
        "发表于: 1996-07-10\n本报北京七月九日讯 今天下午,国务院总理李鹏在中南海会见了"
        "美国总统国家安全事务助理莱克。"
    )
    assert p.issued_on.value == D(1996, 7, 9)
    assert p.stated_date.value == D(1996, 7, 9)
    assert ("us", "莱克") in principals(p)
    lake = next(x for x in p.principals if x.name == "莱克")
    assert lake.office == "美国总统国家安全事务助理" and lake.person == ""


def test_at_request_names_no_side_from_the_object_when_the_subject_is_unknown():
    # The directory knows only the official after the verb: his side is not the subject's.
    directory = Directory.from_people(
        [{"slug": "donald-trump", "name": "Donald Trump", "side": "us"}], include_table=False
    )
    text = (
        "On October 25, 2017, President Xi Jinping held telephone talks with President Donald "
        "Trump of the United States (US) at request."
    )
    assert parse_readout(text, people=directory).initiated_by.value != "prc"
    official = parse_readout(text, "http://gr.china-embassy.org/eng/t1.htm", people=directory)
    assert official.initiated_by.value == "us"  # the PRC readout's own official answered


def test_a_call_from_a_us_official_names_the_us_side():
    text = (
        "BEIJING, June 5 (Xinhua) -- Chinese President Xi Jinping took a phone call from U.S. "
        "President Donald Trump on Thursday evening."
    )
    assert parse_readout(text).initiated_by.value == "us"


def test_the_bare_title_the_president_is_the_white_houses_own_voice():
    """Only the White House calls its president "The President" unqualified; a PRC text, or a
    text about another country's president, says whose."""
    us = parse(
        "The President spoke with President Hu on Tuesday night, October 20, 2009. They "
        "exchanged views on bilateral issues and climate change."
    )
    assert us.side.value == "us"
    assert "The President" in us.side.words
    # "The President of …" names whose president: not the bare title.
    assert not BARE_PRESIDENT.match("The President of the People's Republic of China spoke")

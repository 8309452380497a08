"""The shipped record: the seed, the coverage files and the Office of the Historian's records,
loaded as `make run` loads them (one test, since loading them all takes a while)."""

import datetime

import pytest
from django.urls import reverse

from engagements.domain import coverage
from engagements.domain.timeline import build_timeline
from engagements.models import Encounter

pytestmark = pytest.mark.django_db

# The 65 rows of the 2021–2025 coverage sheet (shared/reference/coverage/2021-2025.md), in order.
SHEET_2021_2025 = [
    "biden-xi-video-call-2022-03-18",
    "biden-xi-phone-call-2022-07-28",
    "biden-xi-phone-call-2024-04-02",
    "trump-xi-phone-call-2025-01-17",
    "vance-han-zheng-meeting-2025-01-19",
    "trump-xi-phone-call-2025-06-05",
    "trump-xi-phone-call-2025-09-19",
    "trump-xi-meeting-busan-2025-10-30",
    "trump-xi-phone-call-2025-11-24",
    "harris-xi-meeting-bangkok-2022-11-19",
    "blinken-yang-phone-call-2021-02-05",
    "blinken-wang-yi-meeting-rome-2021-10-31",
    "blinken-wang-yi-phone-call-2022-01-26",
    "blinken-wang-yi-meeting-bali-2022-07-09",
    "blinken-wang-yi-meeting-new-york-2022-09-23",
    "blinken-wang-yi-phone-call-2022-10-30",
    "blinken-wang-yi-phone-call-2022-12-22",
    "blinken-qin-gang-phone-call-2023-01-01",
    "blinken-wang-yi-meeting-munich-2023-02-18",
    "blinken-qin-gang-phone-call-2023-06-13",
    "blinken-wang-yi-meeting-jakarta-2023-07-13",
    "blinken-han-zheng-meeting-new-york-2023-09-18",
    "wang-yi-visit-washington-2023-10-26",
    "blinken-wang-yi-meeting-munich-2024-02-16",
    "blinken-wang-yi-meeting-vientiane-2024-07-27",
    "blinken-wang-yi-meeting-new-york-2024-09-27",
    "rubio-wang-yi-phone-call-2025-01-24",
    "rubio-wang-yi-meeting-kuala-lumpur-2025-07-11",
    "rubio-wang-yi-phone-call-2025-09-10",
    "rubio-wang-yi-phone-call-2025-10-27",
    "sullivan-yang-talks-zurich-2021-10-06",
    "sullivan-yang-talks-rome-2022-03-14",
    "sullivan-yang-phone-call-2022-05-18",
    "sullivan-yang-talks-luxembourg-2022-06-13",
    "sullivan-wang-yi-talks-vienna-2023-05-10",
    "sullivan-wang-yi-talks-malta-2023-09-16",
    "sullivan-wang-yi-talks-bangkok-2024-01-26",
    "sullivan-visit-beijing-2024-08-27",
    "tai-liu-he-video-call-2021-05-26",
    "yellen-liu-he-video-call-2021-06-01",
    "tai-liu-he-video-call-2021-10-08",
    "yellen-liu-he-video-call-2021-10-25",
    "yellen-liu-he-meeting-zurich-2023-01-18",
    "raimondo-wang-wentao-meeting-washington-2023-05-25",
    "tai-wang-wentao-meeting-detroit-2023-05-26",
    "yellen-visit-beijing-2023-07-06",
    "raimondo-visit-china-2023-08-27",
    "yellen-he-lifeng-talks-san-francisco-2023-11-09",
    "yellen-visit-china-2024-04-04",
    "bessent-greer-he-lifeng-talks-geneva-2025-05-10",
    "us-china-trade-talks-london-2025-06-09",
    "us-china-trade-talks-stockholm-2025-07-28",
    "us-china-trade-talks-madrid-2025-09-14",
    "bessent-greer-he-lifeng-video-call-2025-10-17",
    "us-china-trade-talks-kuala-lumpur-2025-10-25",
    "austin-wei-fenghe-phone-call-2022-04-20",
    "austin-wei-fenghe-meeting-singapore-2022-06-10",
    "austin-wei-fenghe-meeting-siem-reap-2022-11-22",
    "austin-dong-jun-video-call-2024-04-16",
    "austin-dong-jun-meeting-singapore-2024-05-31",
    "hegseth-dong-jun-video-call-2025-09-09",
    "hegseth-dong-jun-meeting-kuala-lumpur-2025-10-31",
    "kerry-xie-climate-talks-glasgow-2021-11-10",
    "kerry-climate-trip-beijing-2023-07-16",
    "kerry-xie-climate-talks-sunnylands-2023-11-04",
]

# The leader-level calls and meetings of the 1989–2020 notes.
LEADER_LINES_1989_2020 = [
    "bush-hu-meeting-bangkok-2003-10-19",
    "bush-hu-meeting-evian-2003-06-01",
    "bush-hu-meeting-hanoi-2006-11-19",
    "bush-hu-meeting-lima-2008-11-21",
    "bush-hu-meeting-santiago-2004-11-20",
    "bush-hu-meeting-st-petersburg-2006-07-16",
    "bush-hu-meeting-sydney-2007-09-06",
    "bush-hu-meeting-toyako-2008-07-09",
    "bush-hu-phone-call-2003-03-18",
    "bush-hu-phone-call-2004-05-29",
    "bush-hu-phone-call-2004-11-08",
    "bush-hu-phone-call-2005-05-05",
    "bush-hu-phone-call-2006-07-06",
    "bush-hu-phone-call-2006-08-21",
    "bush-hu-phone-call-2006-10-09",
    "bush-hu-phone-call-2008-03-26",
    "bush-jiang-phone-call-2001-09-12",
    "bush-jiang-phone-call-2001-11-12",
    "bush-jiang-phone-call-2002-09-06",
    "clinton-jiang-meeting-auckland-1999-09-11",
    "clinton-jiang-meeting-brunei-2000-11-16",
    "clinton-jiang-meeting-jakarta-1994-11-14",
    "clinton-jiang-meeting-manila-1996-11-24",
    "clinton-jiang-phone-call-1999-05-14",
    "clinton-jiang-phone-call-2000-05-28",
    "hu-obama-phone-call-2008-11-08",
    "obama-hu-meeting-london-2009-04-01",
    "obama-hu-meeting-los-cabos-2012-06-19",
    "obama-hu-meeting-seoul-2010-11-11",
    "obama-hu-meeting-seoul-2012-03-26",
    "obama-hu-meeting-toronto-2010-06-26",
    "obama-hu-phone-call-2009-01-30",
    "obama-hu-phone-call-2009-10-20",
    "obama-hu-phone-call-2010-04-01",
    "obama-hu-phone-call-2010-12-05",
    "obama-wen-meeting-bali-2011-11-19",
    "obama-wen-meeting-phnom-penh-2012-11-20",
    "obama-xi-meeting-lima-2016-11-19",
    "obama-xi-meeting-paris-2015-11-30",
    "obama-xi-meeting-st-petersburg-2013-09-06",
    "obama-xi-meeting-the-hague-2014-03-24",
    "obama-xi-phone-call-2013-03-14",
    "obama-xi-phone-call-2014-03-09",
    "obama-xi-phone-call-2015-12-10",
    "obama-xi-phone-call-2015-12-13",
    "obama-xi-phone-call-2016-02-05",
    "trump-xi-dinner-buenos-aires-2018-12-01",
    "trump-xi-meeting-hamburg-2017-07-08",
    "trump-xi-meeting-osaka-2019-06-29",
    "trump-xi-phone-call-2016-11-13",
    "trump-xi-phone-call-2017-02-09",
    "trump-xi-phone-call-2017-04-11",
    "trump-xi-phone-call-2017-04-23",
    "trump-xi-phone-call-2017-07-02",
    "trump-xi-phone-call-2017-08-11",
    "trump-xi-phone-call-2017-09-06",
    "trump-xi-phone-call-2017-09-18",
    "trump-xi-phone-call-2017-10-25",
    "trump-xi-phone-call-2017-11-29",
    "trump-xi-phone-call-2018-01-15",
    "trump-xi-phone-call-2018-03-09",
    "trump-xi-phone-call-2018-05-08",
    "trump-xi-phone-call-2018-11-01",
    "trump-xi-phone-call-2018-12-29",
    "trump-xi-phone-call-2019-06-18",
    "trump-xi-phone-call-2019-12-20",
    "trump-xi-phone-call-2020-02-06",
    "trump-xi-phone-call-2020-03-26",
]


# Issue 20's sweep (engagements/fixtures/coverage/SWEEP-2021-2026.md): contacts of 2021–2025 the
# record lacked, and the record after 24 Nov 2025, where it used to stop.
SWEEP_2021_2025 = [
    "blinken-yang-phone-call-2021-06-11",
    "blinken-wang-yi-phone-call-2021-08-16",
    "blinken-wang-yi-phone-call-2021-08-29",
    "blinken-wang-yi-phone-call-2022-02-21",
    "blinken-wang-yi-phone-call-2022-03-05",
    "yellen-liu-he-video-call-2022-07-04",
    "tai-wang-wentao-meeting-bangkok-2022-11-18",
    "blinken-wang-yi-phone-call-2023-10-14",
    "blinken-wang-yi-phone-call-2023-12-06",
    "raimondo-wang-wentao-phone-call-2024-01-10",
    "tai-wang-wentao-meeting-abu-dhabi-2024-02-26",
    "blinken-wang-yi-phone-call-2024-04-11",
    "liu-zhenmin-visit-us-2024-05-07",
    "raimondo-wang-wentao-phone-call-2024-10-08",
    "bessent-he-lifeng-video-call-2025-02-21",
]
SWEEP_2026 = [
    "bessent-greer-he-lifeng-video-call-2025-12-05",
    "bessent-he-lifeng-meeting-davos-2026-01-19",
    "trump-xi-phone-call-2026-02-04",
    "rubio-wang-yi-meeting-munich-2026-02-13",
    "us-china-trade-talks-paris-2026-03-15",
    "trump-visit-beijing-2026-05-13",
    "trump-xi-talks-beijing-2026-05-14",
    "xi-jinping-state-visit-washington-2026-09-23",
    # Cross-check entries (crosscheck-2026-12.json): CCTV 新闻联播 of 13 and 15 May and 25 Sep 2026.
    "bessent-he-lifeng-talks-korea-2026-05-13",
    "trump-xi-meeting-zhongnanhai-2026-05-15",
    "trump-xi-talks-washington-2026-09-24",
]


def test_the_shipped_record(client, full_record):
    published = Encounter.objects.published()
    with_url = published.filter(sources__url__gt="").distinct()

    # Every row of the 2021–2025 sheet, published with a source that has a URL.
    assert len(SHEET_2021_2025) == len(set(SHEET_2021_2025)) == 65
    assert set(with_url.filter(slug__in=SHEET_2021_2025).values_list("slug", flat=True)) == set(
        SHEET_2021_2025
    )
    # Every leader-level line of the 1989–2020 notes.
    found = with_url.filter(slug__in=LEADER_LINES_1989_2020, level=Encounter.Level.LEADER)
    assert set(found.values_list("slug", flat=True)) == set(LEADER_LINES_1989_2020)
    # Every curated encounter has a source with a URL (CBS News is cited without one).
    curated = published.filter(provenance=Encounter.Provenance.CURATED)
    assert not curated.exclude(pk__in=with_url.values("pk")).exists()
    # Every encounter held in person is on the map: a place with coordinates (calls have none).
    in_person = published.exclude(kind__in=[Encounter.Kind.PHONE_CALL, Encounter.Kind.VIDEO_CALL])
    assert not in_person.filter(place__latitude__isnull=True).exists()
    xi_2015 = published.get(slug="xi-jinping-visit-us-2015-09-24")
    assert xi_2015.place.name == "Blair House"
    assert xi_2015.sources.filter(url__contains="cgtnamerica.com").exists()

    # The sweep's rows are published with a source that has a URL; the record runs past
    # 24 Nov 2025 (11 rows, three of them sessions of the two state visits).
    sweep = with_url.filter(slug__in=SWEEP_2021_2025 + SWEEP_2026)
    assert set(sweep.values_list("slug", flat=True)) == set(SWEEP_2021_2025 + SWEEP_2026)
    after_busan_call = published.filter(start_date__gt=datetime.date(2025, 11, 24))
    assert set(after_busan_call.values_list("slug", flat=True)) >= set(SWEEP_2026)
    talks = published.get(slug="trump-xi-talks-beijing-2026-05-14")
    assert talks.parent.slug == "trump-visit-beijing-2026-05-13"
    zhongnanhai = published.get(slug="trump-xi-meeting-zhongnanhai-2026-05-15")
    assert zhongnanhai.parent.slug == "trump-visit-beijing-2026-05-13"
    washington_talks = published.get(slug="trump-xi-talks-washington-2026-09-24")
    assert washington_talks.parent.slug == "xi-jinping-state-visit-washington-2026-09-23"
    # Initiators come from the readouts' words only: 应约 in the PRC account means the US asked.
    assert published.get(slug="blinken-wang-yi-phone-call-2022-03-05").initiated_by == "us"
    assert published.get(slug="trump-xi-phone-call-2026-02-04").initiated_by == "unknown"
    # Xi's return visit of September 2026 was made at Trump's invitation (People's Daily).
    washington = published.get(slug="xi-jinping-state-visit-washington-2026-09-23")
    assert (washington.initiated_by, washington.place.name) == ("us", "White House")
    assert {p.person.slug for p in washington.participations.all()} >= {
        "xi-jinping",
        "donald-trump",
    }

    # The gap figures, counted only where the record is complete.
    bali = client.get(reverse("encounter-detail", args=["biden-xi-meeting-bali-2022-11-14"]))
    assert "<strong>At most 109 days</strong> since the previous leader-level call or meeting" in (
        bali.text
    )
    assert bali.context["previous_at_level"].slug == "biden-xi-phone-call-2022-07-28"
    september = client.get(reverse("encounter-detail", args=["biden-xi-phone-call-2021-09-09"]))
    assert september.context["days_since_previous_at_level"] == 211
    # Rome, 14 Mar 2022, came 9 days after the Blinken–Wang Yi call of 5 Mar (issue 20 found the
    # page saying 47 before the call was in the record).
    rome = client.get(reverse("encounter-detail", args=["sullivan-yang-talks-rome-2022-03-14"]))
    assert rome.context["previous_at_level"].slug == "blinken-wang-yi-phone-call-2022-03-05"
    assert rome.context["days_since_previous_at_level"] == 9
    timeline = build_timeline(published, {})
    boundary = coverage.LEADER_COMPLETE_FROM
    for gap in timeline.gaps:
        assert not (gap.start < boundary <= gap.end), gap  # never across 1 January 1989
    # Deng Xiaoping was the paramount leader: his 1979 visit is leader level and splits the
    # 1975–1984 stretch the gap figures once jumped across.
    deng = published.get(slug__startswith="deng-xiaoping-visit", start_date__year=1979)
    assert deng.level == Encounter.Level.LEADER
    assert not any(gap.start < datetime.date(1979, 1, 29) < gap.end for gap in timeline.gaps)

    # Both governments' readouts of the Biden–Xi call of 9 Sep 2021 are stored as text and set
    # side by side; the PRC account's words find it in English and Chinese search.
    call = published.get(slug="biden-xi-phone-call-2021-09-09")
    texts = dict(call.sources.exclude(text="").values_list("kind", "text"))
    assert "took a phone call from his U.S. counterpart" in texts["prc_readout"]
    assert "broad, strategic discussion" in texts["us_readout"]
    accounts = client.get(reverse("encounter-accounts", args=[call.slug])).text
    assert "took a phone call from his U.S. counterpart" in accounts
    assert "broad, strategic discussion" in accounts
    for word in ("应约", "近平"):
        assert client.get(reverse("encounter-list"), {"q": word}).context["paginator"].count > 0
    assert client.get(reverse("readout-export-jsonl")).status_code == 200

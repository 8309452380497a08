"""The admin's "Add from a readout" page and `manage.py parse_readout`
(engagements/surfaces/readout_intake.py, engagements/domain/intake.py)."""

import datetime
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from engagements.models import Discrepancy, Encounter, Source

pytestmark = pytest.mark.django_db

URL = reverse("admin:engagements_encounter_from_readout")
NEW_CALL = (
    "习近平同美国总统拜登通电话\n2024-04-02 22:00\n\n"
    "2024年4月2日晚,国家主席习近平应约同美国总统拜登通电话。两国元首就中美关系和共同关心的问题"
    "坦诚深入交换了意见。习近平强调,台湾问题是中美关系中第一条不可逾越的红线。"
)
NEW_CALL_URL = "https://www.mfa.gov.cn/web/zyxw/202404/t20240402_11275001.shtml"
# The seed's Biden–Xi call of 10 February 2021 (Washington), as a PRC readout would tell it.
KNOWN_CALL = "2021年2月11日上午,国家主席习近平同美国总统拜登通电话。两国元首相互拜年。"


def form_data(form):
    """What the editor's browser sends back for the form as shown (no change made)."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        elif value is True:
            data[name] = "on"
        else:
            data[name] = str(value)
    data["step"] = "save"
    return data


def read(client, text, url=""):
    return client.post(URL, {"step": "read", "text": text, "url": url})


def test_the_list_links_to_the_intake_for_editors(editor_client, seeded):
    response = editor_client.get(reverse("admin:engagements_encounter_changelist"))
    assert URL in response.text and "Add from a readout" in response.text
    page = editor_client.get(URL)
    assert page.status_code == 200
    assert 'name="text"' in page.text and "60,000" in page.text


def test_staff_who_may_not_add_encounters_are_refused(client, db):
    user = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert read(client, NEW_CALL).status_code == 403


def test_a_readout_becomes_a_draft_with_its_text_as_the_source(editor_client, seeded):
    response = read(editor_client, NEW_CALL, NEW_CALL_URL)
    assert response.status_code == 200
    page = response.text
    assert "应约" in page and "us" in page  # who asked, beside its words
    assert "2024年4月2日" in page and "晚" in page
    form = response.context["form"]
    assert form.initial["target"] == "new"  # no recorded encounter matches
    assert form.initial["kind"] == "phone_call"
    assert form.initial["start_date"] == datetime.date(2024, 4, 2)

    saved = editor_client.post(URL, form_data(form))
    assert saved.status_code == 302, saved.context["form"].errors
    encounter = Encounter.objects.get(start_date=datetime.date(2024, 4, 2))
    assert saved["Location"] == reverse("admin:engagements_encounter_change", args=[encounter.pk])
    assert encounter.status == Encounter.Status.DRAFT
    assert (encounter.kind, encounter.venue) == ("phone_call", "remote")
    assert encounter.washington_date == datetime.date(2024, 4, 2)
    assert encounter.beijing_date == datetime.date(2024, 4, 2)
    assert "2024年4月2日" in encounter.beijing_date_note
    readout = encounter.sources.get()
    assert (readout.kind, readout.issuer, readout.language) == ("prc_readout", "prc_mfa", "zh")
    assert readout.text.startswith("习近平同美国总统拜登通电话") and readout.url == NEW_CALL_URL
    assert readout.issued_on == datetime.date(2024, 4, 2)
    assert encounter.initiated_by == "us" and encounter.initiator_source == readout
    assert "应约" in encounter.initiator_note
    offices = {p.person.slug: (p.side, p.office) for p in encounter.participations.all()}
    # Offices as the record writes them (the readout's own words are shown beside them).
    assert offices == {
        "xi-jinping": ("prc", "President of the People's Republic of China"),
        "joe-biden": ("us", "President of the United States"),
    }
    assert encounter.level == "leader"
    assert encounter.history.first().history_user.username == "eddie"


def test_a_matching_encounter_is_offered_and_filled_not_duplicated(editor_client, seeded):
    recorded = Encounter.objects.get(slug="biden-xi-phone-call-2021-02-10")
    before = Encounter.objects.count()
    response = read(editor_client, KNOWN_CALL.replace("通电话", "视频通话"))
    form = response.context["form"]
    assert form.initial["target"] == str(recorded.pk)
    assert recorded.title in response.text
    saved = editor_client.post(URL, form_data(form))
    assert saved.status_code == 302
    assert Encounter.objects.count() == before
    recorded.refresh_from_db()
    assert recorded.kind == "phone_call"  # the record is kept…
    discrepancy = Discrepancy.objects.get(encounter=recorded)  # …and the claim recorded
    assert discrepancy.source.kind == "prc_readout"
    assert recorded.sources.filter(kind="prc_readout", text__startswith="2021年2月11日").exists()


@pytest.mark.parametrize(
    "text, url, message",
    [
        ("", "", "Paste the text of the readout"),
        ("今天北京天气晴朗,气温适宜,适合户外活动。", "", "does not read as a readout"),
        (NEW_CALL, "www.mfa.gov.cn/web/zyxw/x.shtml", "not a web address"),
        (
            NEW_CALL * 3 + " President Biden spoke today with President Xi Jinping of China" * 20,
            "",
            "mixes Chinese and English",
        ),
        ("应约通电话" * 70_000, "", "at most 60,000"),  # 350,000 characters, 1 MB in UTF-8
    ],
    ids=["empty", "no-readout", "bad-address", "two-languages", "one-megabyte"],
)
def test_bad_input_gets_a_message_and_saves_nothing(editor_client, seeded, text, url, message):
    counts = (Encounter.objects.count(), Source.objects.count())
    response = read(editor_client, text, url)
    assert response.status_code == 400
    assert message in response.text
    assert (Encounter.objects.count(), Source.objects.count()) == counts


def test_a_refused_save_keeps_the_values_and_saves_nothing(editor_client, seeded):
    form = read(editor_client, NEW_CALL, NEW_CALL_URL).context["form"]
    data = form_data(form)
    data["p0_person"] = "no-such-person"
    data["start_date"] = "not a date"
    count = Encounter.objects.count()
    response = editor_client.post(URL, data)
    assert response.status_code == 400
    assert "Give the slug of a person in People" in response.text
    assert Encounter.objects.count() == count
    assert "习近平" in response.text  # the principals as written are shown again


def test_parse_readout_command_prints_the_proposal_as_json(tmp_path, seeded):
    path = tmp_path / "readout.txt"
    path.write_text(NEW_CALL, encoding="utf-8")
    out = io.StringIO()
    call_command("parse_readout", str(path), "--url", NEW_CALL_URL, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["kind"]["value"] == "phone_call"
    assert data["initiated_by"] == {"value": "us", "words": data["initiated_by"]["words"]}
    assert "应约" in data["initiated_by"]["words"]
    assert data["washington_date"]["value"] == "2024-04-02"
    sides = {p["person"]: (p["side"], p["office"]) for p in data["principals"]}
    assert sides["xi-jinping"] == ("prc", "国家主席")
    assert "taiwan" in [t["value"] for t in data["topics"]]


def test_parse_readout_command_refuses_what_is_no_readout(tmp_path, db):
    path = tmp_path / "notes.txt"
    path.write_text("Shopping list: rice, tea.", encoding="utf-8")
    with pytest.raises(CommandError, match="does not read as a readout"):
        call_command("parse_readout", str(path), "--json", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No such file"):
        call_command("parse_readout", str(tmp_path / "missing.txt"), stdout=io.StringIO())

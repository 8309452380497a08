"""Search finds an encounter by its topics, its readouts' texts, part of a Chinese word, and
offers the right spelling of a misspelt name (engagements/domain/search.py)."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from engagements.domain.search import (
    chinese_index_terms,
    kept_text,
    spelling_lexicon,
    suggest_spelling,
    websearch_text,
)
from engagements.models import Encounter, Source, Topic
from tests.factories import (
    EncounterFactory,
    ParticipationFactory,
    PersonFactory,
    SourceFactory,
    TopicFactory,
)
from tests.test_search_document import found

# The opening of the PRC Foreign Ministry's readout of the Biden–Xi call of 9 September 2021.
PRC_READOUT = "2021年9月10日上午，国家主席习近平应约同美国总统拜登通电话。"


def readout(encounter, text=PRC_READOUT, **fields):
    return SourceFactory(
        encounter=encounter,
        kind=Source.Kind.PRC_READOUT,
        outlet="Ministry of Foreign Affairs of the PRC",
        issuer=Source.Issuer.PRC_MFA,
        language=Source.Language.CHINESE,
        text=text,
        **fields,
    )


# --- Topics --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_encounter_is_found_by_the_topics_it_is_tagged_with():
    climate = TopicFactory(name="Climate", slug="climate")
    encounter = EncounterFactory(slug="call", summary="The two presidents spoke.")
    assert found("climate") == []
    encounter.topics.add(climate)
    assert found("climate") == ["call"]
    encounter.topics.remove(climate)
    assert found("climate") == []
    climate.encounters.add(encounter)  # from the topic's side
    assert found("climate") == ["call"]
    climate.encounters.clear()
    assert found("climate") == []


@pytest.mark.django_db
def test_renaming_or_deleting_a_topic_reaches_the_index():
    topic = TopicFactory(name="Taiwan", slug="taiwan")
    EncounterFactory(slug="call", summary="A call.").topics.add(topic)
    assert found("Taiwan") == ["call"]
    topic.name = "Taiwan Strait"
    topic.save()
    assert found("strait") == ["call"]
    Topic.objects.filter(pk=topic.pk).get().delete()
    assert found("Taiwan") == []


@pytest.mark.django_db
def test_an_admin_save_that_changes_topics_and_sources_rebuilds_the_document_once(
    admin_client, monkeypatch
):
    from tests.adminforms import add_inline_row, change_url, form_data

    encounter = EncounterFactory(slug="call", status=Encounter.Status.DRAFT, published_at=None)
    climate = TopicFactory(name="Climate", slug="climate")
    data = form_data(admin_client.get(change_url(encounter)))
    data["topics"] = [str(climate.pk)]
    add_inline_row(
        data,
        "sources",
        kind=Source.Kind.PRC_READOUT,
        outlet="Ministry of Foreign Affairs of the PRC",
        title="习近平应约同美国总统拜登通电话",
    )
    builds = []
    build = Encounter.build_search_document
    monkeypatch.setattr(
        Encounter, "build_search_document", lambda self: builds.append(self.pk) or build(self)
    )
    response = admin_client.post(change_url(encounter), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert builds == [encounter.pk]
    encounter.refresh_from_db()
    assert "Climate" in encounter.search_document
    assert "应约" in encounter.search_document


# --- Readouts ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_readouts_text_finds_its_encounter_until_it_is_deleted():
    encounter = EncounterFactory(slug="biden-xi-call")
    source = readout(encounter)
    for word in ("应约", "近平", "习近平", "拜登", "通电话"):
        assert found(word) == ["biden-xi-call"], word
    source.text = "Readout of the call: both presidents discussed guardrails."
    source.language = Source.Language.ENGLISH
    source.save()
    assert found("guardrails") == ["biden-xi-call"]
    assert found("应约") == []
    # A published encounter keeps a source (Source.removal_problem): a news report stays.
    SourceFactory(encounter=encounter, title="A report")
    source.delete()
    assert found("guardrails") == []


@pytest.mark.django_db
def test_a_news_reports_title_is_not_taken_for_a_readout():
    SourceFactory(encounter=EncounterFactory(), title="Syndicated rumours")
    assert found("rumours") == []


# --- Chinese -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_part_of_a_chinese_name_finds_its_encounters():
    encounter = EncounterFactory(slug="talks")
    ParticipationFactory(encounter=encounter, person=PersonFactory(name="Wang Yi", name_zh="王毅"))
    ParticipationFactory(
        encounter=encounter, person=PersonFactory(name="Xi Jinping", name_zh="习近平")
    )
    EncounterFactory(slug="other")
    for text in ("王", "王毅", "近平", "习近平", "习", "Wang 近平"):
        assert found(text) == ["talks"], text
    assert found("平习") == []  # the characters in another order are not the name
    assert found("近平习") == []
    assert found("-近平") == ["other"]
    assert found('"习近平"') == ["talks"]


def test_chinese_terms_are_the_pieces_of_each_run_once():
    assert chinese_index_terms("Xi Jinping 习近平 and 王毅, 习近平") == "习近 近平 习 近 平 王 毅"
    assert chinese_index_terms("climate") == ""


def test_a_chinese_query_is_spelt_as_the_document_spells_it():
    assert websearch_text("近平") == "近平"
    assert websearch_text("习近平") == '"习近 近平"'
    assert websearch_text("-习近平 or Biden") == '-"习近 近平" or Biden'
    assert websearch_text('"习近平 拜登"') == '"习近 近平 拜登"'
    assert websearch_text("Xi习近平") == 'Xi "习近 近平"'


def test_the_kept_text_leaves_the_extra_terms_out():
    from engagements.domain.models import compose_search_document

    document = compose_search_document(None, [("Xi Jinping", "习近平", "President")], [])
    assert kept_text(document) == "Xi Jinping 习近平 President"
    assert "近平" in document.split()


@pytest.mark.django_db
def test_the_list_marks_the_chinese_words_found(client):
    encounter = EncounterFactory(slug="call", summary="The presidents spoke.")
    readout(encounter)
    response = client.get(reverse("encounter-list"), {"q": "近平"})
    assert response.status_code == 200
    assert "国家主席习<mark>近平</mark>应约" in response.text
    # The pieces added for search are never shown.
    assert "习近 近平" not in response.text


# --- Suggestions ---------------------------------------------------------------------------------


def people_lexicon():
    return spelling_lexicon(
        [
            ("Xi Jinping", "Xi Jingping\nHsi Chin-p'ing"),
            ("Antony Blinken", ""),
            ("Wang Yi", ""),
        ]
    )


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("Xi Jingping", "Xi Jinping"),
        ("xi jingping climate", "Xi Jinping climate"),
        ("Blinkin", "Blinken"),
        ("Blinkin -Wang", "Blinken -Wang"),
        ("Hsi Chin-p'ing", "Xi Jinping"),
        ("Blinken", ""),
        ("climate", ""),
        ("Wan", ""),  # too short to correct
        ("王毅", ""),
    ],
)
def test_suggest_spelling(text, suggestion):
    assert suggest_spelling(text, people_lexicon()) == suggestion


@pytest.mark.django_db
def test_a_misspelt_name_gets_a_suggestion_linking_to_the_corrected_search(client):
    for name in ("Xi Jinping", "Antony Blinken"):
        ParticipationFactory(encounter=EncounterFactory(), person=PersonFactory(name=name))
    url = reverse("encounter-list")
    response = client.get(url, {"q": "Blinkin", "level": "cabinet", "page": "1"})
    assert response.status_code == 200
    assert "Did you mean" in response.text
    suggestion = response.context["suggestion"]
    assert suggestion["text"] == "Blinken"
    corrected = QueryDict(suggestion["url"].split("?", 1)[1])
    assert corrected["q"] == "Blinken" and corrected["level"] == "cabinet"
    assert "page" not in corrected
    assert f'href="{url}?' in response.text
    response = client.get(url, {"q": "Xi Jingping"})
    assert response.context["suggestion"]["text"] == "Xi Jinping"
    assert client.get(url, {"q": "Blinken"}).context.get("suggestion") is None


@pytest.mark.django_db
def test_a_name_known_from_drafts_only_is_never_suggested(client):
    draft = EncounterFactory(status=Encounter.Status.DRAFT, published_at=None)
    ParticipationFactory(encounter=draft, person=PersonFactory(name="Hidden Personname"))
    response = client.get(reverse("encounter-list"), {"q": "Personnam"})
    assert response.context.get("suggestion") is None
    assert "Personname" not in response.text

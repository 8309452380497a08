"""The accuracy audit's corrections of the curated seed, applied to a database loaded earlier.

seed.json carries the same corrections for new databases. Here every change is made only where
the row is still exactly as the seed left it (the old value is compared first), so an editor's
later edit is never overwritten; a row an editor has changed is left alone. Rows the audit asks
to add (sources, discrepancies) are added only when the encounter exists and lacks them.
"""

from django.db import migrations
from django.utils import timezone

CBS = "Biden calls Chinese President Xi Jinping about U.S.-China relationship"
CBS_NO_URL = (
    " No URL: the report could not be found at CBS News; the only copy found online is another "
    "site's republication, which is not cited."
)
HAN_ZHENG_READOUT = (
    "https://china.usembassy-china.org.cn/u-s-special-presidential-envoy-for-climate-john-"
    "kerrys-virtual-meeting-with-peoples-republic-of-china-vice-premier-han-zheng/"
)
DIPLOMATIC_INSIGHT = (
    "https://thediplomaticinsight.com/summary-two-day-visit-of-china-by-deputy-secretary-sherman/"
)

# (slug, field, seed's value, corrected value)
ENCOUNTER_FIELDS = [
    ("anchorage-talks-2021-03-18", "tone", "hostile", "mixed"),
    (
        "anchorage-talks-2021-03-18",
        "tone_note",
        "Angry words exchanged on camera in front of the press (CBS News).",
        "The public opening before the cameras turned acrimonious (CBS News; Xinhua); afterwards "
        "Yang Jiechi called the dialogue “candid, constructive and helpful” (Xinhua, PRC Foreign "
        "Ministry).",
    ),
    (
        "sherman-visit-tianjin-2021-07",
        "summary",
        "The Deputy Secretary of State's two-day stop in Tianjin, the most senior US visit to "
        "China of 2021 so far. Her meetings, all on 26 July, were talks with the vice foreign "
        "minister followed by a meeting with the foreign minister.",
        "The Deputy Secretary of State's two-day stop in Tianjin. Her meetings, all on 26 July, "
        "were talks with the vice foreign minister followed by a meeting with the foreign "
        "minister.",
    ),
    ("kerry-wang-yi-video-call-2021-09-01", "initiated_by", "unknown", "us"),
    (
        "kerry-wang-yi-video-call-2021-09-01",
        "summary",
        "While in Tianjin, Kerry spoke to the foreign minister by video rather than in person. "
        "China's foreign minister used the occasion to make climate cooperation conditional on "
        "the overall relationship.",
        "While in Tianjin, Kerry spoke to the foreign minister by video rather than in person. By "
        "the Chinese account, Wang Yi told him that climate cooperation could not be sustained "
        "unless the wider relationship improved, and that it was for Washington to act first; the "
        "US readout stresses Kerry's call for China to cut its emissions further.",
    ),
    (
        "biden-xi-phone-call-2021-09-09",
        "tone_note",
        "“Respectful”, also frank and familiar, according to a senior administration official "
        "(CBS News); “familiar” and “candid” (Reuters).",
        "Described as “respectful”, and as frank and familiar, in CBS News's account of what US "
        "officials said; “familiar” and “candid” in Reuters' report of the US account.",
    ),
    (
        "biden-xi-phone-call-2021-09-09",
        "summary",
        "Biden called Xi late on a Thursday night from the Treaty Room of the White House "
        "residence, Friday morning in Beijing. It was their first conversation in seven months. "
        "The White House framed it as a strategic discussion about managing competition and "
        "keeping lines open so that the two countries would not drift into conflict by accident, "
        "and as a test of whether dealing directly at the top would work better than the "
        "lower-level contacts earlier in the year, given how much power Xi had concentrated. "
        "Officials said Xi did not press for anything on trade.",
        "Biden placed the call from the residence's Treaty Room at the White House on Thursday "
        "evening, when it was already Friday morning in Beijing; the two had not spoken since "
        "February. US officials presented it as a strategic conversation on managing competition, "
        "and on keeping channels open so that rivalry would not slide into conflict by accident. "
        "They also cast it as a test of whether talking leader to leader would achieve more than "
        "the lower-level meetings earlier in the year, since so much power rests with Xi. "
        "According to the officials, Xi made no request on trade.",
    ),
    (
        "biden-xi-meeting-bali-2022-11-14",
        "summary",
        "The first in-person meeting of Biden and Xi as presidents, held at their hotel in Nusa "
        "Dua on the eve of the G20 summit in Bali, Indonesia.",
        "The first in-person meeting of Biden and Xi as presidents, held at the hotel where Xi was "
        "staying, the Mulia in Nusa Dua, on the eve of the G20 summit in Bali, Indonesia.",
    ),
]

# Woodside's summary: only its opening words change ("A day-long meeting" was unsupported).
WOODSIDE = ("biden-xi-meeting-woodside-2023-11-15", "A day-long meeting at", "A meeting at")

# (slug or None for every curated encounter, match on the source, changes)
SOURCE_FIELDS = [
    (
        "biden-xi-phone-call-2021-02-10",
        {"outlet": "Caixin Global", "title": "President Xi speaks with Biden in first official phone call"},
        {"title": "Report of the first Xi–Biden phone call", "title_is_description": True},
    ),
    (
        "biden-xi-phone-call-2021-02-10",
        {"title": "Biden says call with Chinese leader Xi lasted two hours"},
        {"title": "Report that the Biden–Xi call lasted two hours", "title_is_description": True},
    ),
    (
        "anchorage-talks-2021-03-18",
        {"outlet": "ECNS (China News Service)", "title": "Report on the Anchorage dialogue"},
        {"title": "Report on the close of the Anchorage dialogue", "title_is_description": True},
    ),
    (
        "anchorage-talks-2021-03-18",
        {
            "outlet": "CBS News",
            "note": "Describes Anchorage as the first in-person meeting, with angry words "
            "exchanged on camera.",
        },
        {
            "note": "Describes Anchorage as the first in-person meeting of the two sides' senior "
            "officials under Biden, with a heated public exchange." + CBS_NO_URL
        },
    ),
    (
        None,
        {
            "outlet": "People's Daily",
            "title": "Report on the US–China joint statement on climate",
            "url": "http://en.people.cn/n3/2021/0418/c90000-9840221.html",
        },
        {
            "outlet": "Xinhua (via People's Daily)",
            "title": "China, U.S. issue joint statement on climate change",
        },
    ),
    (
        None,
        {
            "outlet": "The Diplomatic Insight",
            "title": "Summary: two-day visit of China by Deputy Secretary Sherman",
        },
        {
            "title": "Summary of Deputy Secretary Sherman's two-day visit to China",
            "title_is_description": True,
        },
    ),
    (
        "sherman-visit-tianjin-2021-07",
        {"outlet": "CBS News", "note": "Calls the Tianjin visit “similarly tense” to Anchorage."},
        {"note": "Calls the Tianjin visit “similarly tense” to Anchorage." + CBS_NO_URL},
    ),
    (
        "kerry-climate-trip-tianjin-2021-08",
        {
            "outlet": "CBS News",
            "note": "Places Kerry in China the week before the 9 September call, and reports "
            "that China's foreign minister had linked climate cooperation to the overall "
            "relationship.",
        },
        {
            "note": "Places Kerry in China the week before the 9 September call, and reports "
            "that China's foreign minister had linked climate cooperation to the overall "
            "relationship." + CBS_NO_URL
        },
    ),
    (
        "biden-xi-phone-call-2021-09-09",
        {"outlet": "CBS News", "note": ""},
        {"note": CBS_NO_URL.strip()},
    ),
    (
        "biden-xi-phone-call-2021-09-09",
        {"title": "The PRC side's account of the call", "kind": "news"},
        {"title": "Xi holds broad strategic communication with Biden", "kind": "prc_readout"},
    ),
    (
        "biden-xi-virtual-summit-2021-11-15",
        {"title": "Announcement of the virtual meeting"},
        {"title": "Xi to meet Biden via video link"},
    ),
    (
        "biden-xi-meeting-bali-2022-11-14",
        {"title": "Live updates: Biden and Xi meet at G20 summit in Bali"},
        {"title": "Live coverage of the Biden–Xi meeting at the G20 in Bali", "title_is_description": True},
    ),
    (
        "biden-xi-meeting-woodside-2023-11-15",
        {
            "title": "President Joe Biden and Chinese President Xi Jinping offer hope of "
            "improved relations at Woodside meeting"
        },
        {"title": "Report on the Biden–Xi meeting at Woodside", "title_is_description": True},
    ),
    (
        "biden-xi-meeting-woodside-2023-11-15",
        {"title": "Report on the Xi–Biden meeting"},
        {"title": "Bowen in SF | Xi meets Biden at the Filoli estate"},
    ),
    (
        "biden-xi-meeting-lima-2024-11-16",
        {"title": "Xi and Biden hold final meeting"},
        {
            "title": "Report on the last Biden–Xi meeting, at Xi's hotel in Lima",
            "title_is_description": True,
        },
    ),
]

NEW_SOURCES = {
    "anchorage-talks-2021-03-18": [
        {
            "kind": "prc_readout",
            "outlet": "PRC Ministry of Foreign Affairs (Embassy in Egypt)",
            "title": "China Talks About China-U.S. High-level Strategic Dialogue",
            "url": "https://www.mfa.gov.cn/ce/ceegy/eng/zgyw/t1862857.htm",
            "note": "Dates the dialogue 18 and 19 March 2021, local time; Yang Jiechi calls the "
            "exchanges candid and constructive.",
        },
        {
            "kind": "news",
            "outlet": "Xinhua (via People's Daily)",
            "title": "China-U.S. high-level strategic dialogue kicks off with contentious opening",
            "url": "http://en.people.cn/n3/2021/0320/c90000-9830798.html",
            "published_on": "2021-03-20",
        },
    ],
    "kerry-wang-yi-video-call-2021-09-01": [
        {
            "kind": "prc_readout",
            "outlet": "Xinhua (via People's Daily)",
            "title": "Improved China-U.S. ties needed for climate change cooperation: Chinese FM",
            "url": "http://en.people.cn/n3/2021/0902/c90000-9890934.html",
            "published_on": "2021-09-02",
            "note": "Says Wang Yi met Kerry by video link “upon invitation”, that is, at the US "
            "side's request.",
        },
        {
            "kind": "us_readout",
            "outlet": "U.S. Embassy and Consulates in China",
            "title": "美国总统气候问题特使约翰·克里与中华人民共和国国务委员兼外交部长王毅举行线上会议",
            "url": "https://china.usembassy-china.org.cn/zh/u-s-special-presidential-envoy-for-"
            "climate-john-kerrys-virtual-meeting-with-peoples-republic-of-china-state-councilor-"
            "and-foreign-minister-wang-yi-cn/",
            "published_on": "2021-09-02",
            "note": "The State Department's readout, in the Embassy's Chinese translation.",
        },
    ],
    "biden-xi-meeting-lima-2024-11-16": [
        {
            "kind": "dataset",
            "outlet": "U.S. Department of State, Office of the Historian",
            "title": "Travels abroad of the President: Joseph R. Biden, Peru, 15–17 November 2024",
            "url": "https://history.state.gov/departmenthistory/travels/president/biden-joseph-r",
            "record": "hsg-trip:4296",
            "note": "Record hsg-trip:4296 as the Office gives it: Joseph R. Biden (President), "
            "15–17 November 2024, locale “Lima”; the record covers his whole stay in Peru, of "
            "which the meeting with Xi on 16 November was one part. It is outside the tracker's "
            "China subset of the Office's data (coded Peru), so it is cited here rather than "
            "imported. Source: HistoryAtState/travels, president-travels/biden-joseph-r.xml.",
            "quote": "Met with President Dina Boluarte and with President Xi Jinping of China.",
        }
    ],
}

# Quotes: CBS's own attributions and typography. (slug, seed text, seed speaker, text, speaker)
QUOTES = [
    (
        "biden-xi-phone-call-2021-09-09",
        "I don't want to convey that diplomacy on specific issues has hit a wall",
        "a senior administration official",
        "I don’t want to convey that diplomacy on specific issues has hit a wall",
        "a senior official",
    ),
    (
        "biden-xi-phone-call-2021-09-09",
        "unfruitful",
        "a senior administration official",
        "unfruitful",
        "the official",
    ),
    (
        "biden-xi-phone-call-2021-09-09",
        "They're trying to see if we'll blink",
        "a senior administration official",
        "They’re trying to see if we’ll blink",
        "a senior administration official",
    ),
]

# (slug, field, ours, theirs, source outlet, our source url, note)
DISCREPANCIES = [
    (
        "sherman-visit-tianjin-2021-07",
        "office",
        "Deputy Secretary of State",
        "Undersecretary",
        DIPLOMATIC_INSIGHT,
        "CBS News calls Wendy Sherman “Undersecretary”; she was Deputy Secretary of State, as The "
        "Diplomatic Insight's report of the visit says.",
    ),
    (
        "kerry-climate-trip-tianjin-2021-08",
        "place",
        "Tianjin",
        "Tianjing",
        HAN_ZHENG_READOUT,
        "CBS News spells the city “Tianjing”; it is Tianjin, as the US Embassy's readout has it.",
    ),
]


def curated(Encounter, slug):
    return Encounter.objects.filter(slug=slug, provenance="curated").first()


def fix_encounters(Encounter):
    changed = set()
    for slug, name, old, new in ENCOUNTER_FIELDS:
        encounter = curated(Encounter, slug)
        if encounter and getattr(encounter, name) == old:
            setattr(encounter, name, new)
            encounter.save(update_fields=[name])
            changed.add(encounter.pk)
    slug, old, new = WOODSIDE
    encounter = curated(Encounter, slug)
    if encounter and encounter.summary.startswith(old):
        encounter.summary = new + encounter.summary[len(old) :]
        encounter.save(update_fields=["summary"])
        changed.add(encounter.pk)
    return changed


def fix_sources(Encounter, Source):
    changed = set()
    for slug, match, new in SOURCE_FIELDS:
        sources = Source.objects.filter(encounter__provenance="curated", **match)
        if slug:
            sources = sources.filter(encounter__slug=slug)
        for source in sources:
            for name, value in new.items():
                setattr(source, name, value)
            source.save(update_fields=list(new))
            changed.add(source.encounter_id)
    return changed


def wrong_kerry_wang_source(Source):
    """The source labelled as Kerry's Tianjin meetings whose URL is the Han Zheng readout."""
    return Source.objects.filter(
        encounter__slug="kerry-wang-yi-video-call-2021-09-01",
        title="Kerry's virtual meetings in Tianjin",
        url=HAN_ZHENG_READOUT,
    )


def add_sources(Encounter, Source, Quote):
    changed = set()
    for slug, rows in NEW_SOURCES.items():
        encounter = curated(Encounter, slug)
        if encounter is None:
            continue
        for row in rows:
            row = dict(row)
            quote = row.pop("quote", None)
            record = row.pop("record", None)
            if Source.objects.filter(encounter=encounter, url=row["url"]).exists():
                continue
            source = Source.objects.create(encounter=encounter, **row)
            if quote:
                Quote.objects.create(
                    encounter=encounter,
                    text=quote,
                    speaker_description=f"The Office of the Historian's description (record "
                    f"{record})",
                    source=source,
                    context=f"The Office's own description in record {record}, quoted as "
                    "published; not the tracker's summary.",
                )
            changed.add(encounter.pk)
    wrong = wrong_kerry_wang_source(Source)
    encounter_ids = set(wrong.values_list("encounter_id", flat=True))
    for encounter_id in encounter_ids:
        # Remove it only once the encounter has the sources that do support it.
        if Source.objects.filter(encounter_id=encounter_id).exclude(url=HAN_ZHENG_READOUT).exists():
            wrong.filter(encounter_id=encounter_id).delete()
            changed.add(encounter_id)
    return changed


def set_initiator_source(Encounter, Source):
    if not any(f.name == "initiator_source" for f in Encounter._meta.get_fields()):
        return
    encounter = curated(Encounter, "kerry-wang-yi-video-call-2021-09-01")
    source = Source.objects.filter(
        encounter=encounter, url="http://en.people.cn/n3/2021/0902/c90000-9890934.html"
    ).first()
    if encounter and source and encounter.initiated_by == "us" and not encounter.initiator_source_id:
        encounter.initiator_source = source
        encounter.save(update_fields=["initiator_source"])


def fix_quotes(Quote):
    changed = set()
    for slug, text, speaker, new_text, new_speaker in QUOTES:
        quotes = Quote.objects.filter(
            encounter__slug=slug, text=text, speaker_description=speaker, speaker__isnull=True
        )
        for quote in quotes:
            quote.text, quote.speaker_description = new_text, new_speaker
            quote.save(update_fields=["text", "speaker_description"])
            changed.add(quote.encounter_id)
    return changed


def add_discrepancies(Encounter, Source, Discrepancy):
    changed = set()
    for slug, field, ours, theirs, our_url, note in DISCREPANCIES:
        encounter = curated(Encounter, slug)
        if encounter is None:
            continue
        cbs = Source.objects.filter(encounter=encounter, outlet="CBS News", title=CBS).first()
        if cbs is None or Discrepancy.objects.filter(encounter=encounter, source=cbs).exists():
            continue
        Discrepancy.objects.create(
            encounter=encounter,
            source=cbs,
            our_source=Source.objects.filter(encounter=encounter, url=our_url).first(),
            field=field,
            our_value=ours,
            their_value=theirs,
            note=note,
        )
        changed.add(encounter.pk)
    return changed


def apply(apps, schema_editor):
    Encounter = apps.get_model("engagements", "Encounter")
    Source = apps.get_model("engagements", "Source")
    Quote = apps.get_model("engagements", "Quote")
    Discrepancy = apps.get_model("engagements", "Discrepancy")
    changed = fix_encounters(Encounter)
    changed |= fix_sources(Encounter, Source)
    changed |= add_sources(Encounter, Source, Quote)
    set_initiator_source(Encounter, Source)
    changed |= fix_quotes(Quote)
    changed |= add_discrepancies(Encounter, Source, Discrepancy)
    # Historical models carry no signals: bump versions so open admin forms become stale, and
    # mark the change time, as an editor's save would.
    for encounter in Encounter.objects.filter(pk__in=changed):
        encounter.version += 1
        encounter.updated_at = timezone.now()
        encounter.save(update_fields=["version", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [("engagements", "0013_apply_coding_rules")]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]

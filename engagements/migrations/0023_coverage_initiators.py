# ruff: noqa: E501 -- the data below is quoted as the sources give it, one string a line.
"""Initiators, sources and a Beijing date the 2021–2025 coverage research supported but the first
load left out, applied to a database loaded earlier (coverage-2021-2025-a.json carries them for
new databases).

As in 0014_seed_audit_corrections, a row changes only while it is still exactly as the loader
left it: the initiator is changed only where it still has its old value and old source, the
Beijing date only where none is recorded, and a source or discrepancy is added only where the
encounter lacks it. An editor's later change is never overwritten.
"""

import datetime

from django.db import migrations

CHANGES = [
    {
        "slug": "biden-xi-phone-call-2022-07-28",
        "old_initiated_by": "unknown",
        "old_initiator_source_url": None,
        "initiated_by": "us",
        "source": {
            "kind": "prc_readout",
            "outlet": "Ministry of Foreign Affairs of the People's Republic of China",
            "title": "Chinese President Xi Jinping speaks with U.S. President Joe Biden by phone",
            "issuer": "prc_mfa",
            "language": "en",
            "text": "On the evening of July 28, Chinese President Xi Jinping spoke with U.S. President Joe Biden on the phone at the request of the latter.",
            "text_is_excerpt": True,
            "copy_url": "https://meneersoemo.nl/2022/07/29/chinese-president-xi-jinping-speaks-with-u-s-president-joe-biden-by-phone/",
            "copy_outlet": "meneersoemo.nl",
            "note": "The PRC readout's opening, read from a verbatim copy (the Ministry's own page was not found); it says Xi spoke 'at the request of the latter', that is, Biden asked for the call.",
        },
    },
    {
        "slug": "blinken-wang-yi-phone-call-2022-10-30",
        "old_initiated_by": "unknown",
        "old_initiator_source_url": None,
        "initiated_by": "us",
        "source": {
            "kind": "prc_readout",
            "outlet": "Embassy of the People's Republic of China in North Macedonia",
            "title": "Wang Yi Speaks with U.S. Secretary of State Antony Blinken on the Phone",
            "url": "http://mk.china-embassy.gov.cn/eng/zgyw/202212/t20221211_10988752.htm",
            "issuer": "prc_mfa",
            "language": "en",
            "text": "On October 31, 2022, Member of the Political Bureau of the CPC Central Committee, State Councilor and Foreign Minister Wang Yi spoke with U.S. Secretary of State Antony Blinken on the phone at the latter's request.",
            "text_is_excerpt": True,
            "note": "The PRC readout: Wang Yi spoke with Blinken 'at the latter's request' (the US asked), on 31 October by Beijing's calendar.",
        },
        "beijing_date": "2022-10-31",
        "beijing_date_note": "The PRC readout (Embassy in North Macedonia) dates the call 31 October 2022.",
    },
    {
        "slug": "blinken-wang-yi-phone-call-2022-12-22",
        "old_initiated_by": "unknown",
        "old_initiator_source_url": None,
        "initiated_by": "us",
        "source": {
            "kind": "news",
            "outlet": "Sputnik (Chinese service)",
            "title": "王毅與布林肯通電話：中方一貫主張通過談判解決烏克蘭危機",
            "url": "https://big5.sputniknews.cn/amp/20221223/1046612761.html",
            "published_on": "2022-12-23",
            "note": "Reports the Chinese account: Wang Yi spoke with Blinken 应约 (at the request of the other side, the US).",
        },
    },
    {
        "slug": "trump-xi-phone-call-2025-11-24",
        "old_initiated_by": "prc",
        "old_initiator_source_url": "https://www.mundoamerica.com/news/2025/11/25/6925ba4fe9cf4a5b4b8b456e.html",
        "initiated_by": "us",
        "source": {
            "kind": "prc_readout",
            "outlet": "Xinhua (People's Daily Online)",
            "title": 'Atmosphere of Xi-Trump phone call "positive, friendly, constructive": Chinese foreign ministry',
            "url": "http://en.people.cn/n3/2025/1125/c90000-20394916.html",
            "published_on": "2025-11-25",
            "issuer": "prc_mfa",
            "language": "en",
            "text": "Mao told a regular press briefing that this phone call was initiated by the U.S. side.",
            "text_is_excerpt": True,
            "note": "The PRC foreign ministry's spokesperson, at the regular briefing of 25 November, says the US side initiated the call.",
        },
        "discrepancy": {
            "our_value": "US",
            "their_value": "PRC",
            "their_source_url": "https://www.mundoamerica.com/news/2025/11/25/6925ba4fe9cf4a5b4b8b456e.html",
            "note": "El Mundo América says Xi initiated the call, as news reports (a Wall Street Journal headline, 'China's Xi Calls Trump') had it. The PRC foreign ministry's spokesperson, Mao Ning, said on 25 November that the call was initiated by the US side; the record follows the government's statement.",
        },
    },
]


def day(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def restore(apps, schema_editor):
    Encounter = apps.get_model("engagements", "Encounter")
    Source = apps.get_model("engagements", "Source")
    Discrepancy = apps.get_model("engagements", "Discrepancy")
    for change in CHANGES:
        encounter = Encounter.objects.filter(slug=change["slug"]).first()
        if encounter is None:
            continue
        fields = dict(change["source"])
        if "published_on" in fields:
            fields["published_on"] = day(fields["published_on"])
        match = {"url": fields["url"]} if fields.get("url") else {"title": fields["title"]}
        source = Source.objects.filter(encounter=encounter, **match).first()
        if source is None:
            source = Source.objects.create(encounter=encounter, **fields)
        old_source = encounter.initiator_source
        old_url = old_source.url if old_source else None
        if (
            encounter.initiated_by == change["old_initiated_by"]
            and old_url == change["old_initiator_source_url"]
        ):
            encounter.initiated_by = change["initiated_by"]
            encounter.initiator_source = source
            encounter.save(update_fields=["initiated_by", "initiator_source"])
        if change.get("beijing_date") and encounter.beijing_date is None:
            encounter.beijing_date = day(change["beijing_date"])
            encounter.beijing_date_note = change["beijing_date_note"]
            encounter.save(update_fields=["beijing_date", "beijing_date_note"])
        discrepancy = change.get("discrepancy")
        if discrepancy:
            theirs = Source.objects.filter(
                encounter=encounter, url=discrepancy["their_source_url"]
            ).first()
            if (
                theirs is not None
                and not Discrepancy.objects.filter(
                    encounter=encounter, source=theirs, their_value=discrepancy["their_value"]
                ).exists()
            ):
                Discrepancy.objects.create(
                    encounter=encounter,
                    field="other",
                    our_value=discrepancy["our_value"],
                    their_value=discrepancy["their_value"],
                    source=theirs,
                    our_source=source,
                    note=discrepancy["note"],
                )


class Migration(migrations.Migration):
    dependencies = [("engagements", "0022_canonical_offices")]

    operations = [migrations.RunPython(restore, migrations.RunPython.noop)]

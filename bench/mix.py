"""The research mix: a few thousand distinct URLs, as researchers combine filters, words and pages.

One URL per line, generated reproducibly (a fixed seed) from the data's own vocabulary: levels,
kinds, venues, initiators, the countries of places, topics and people with published
encounters, date ranges, words and phrases of the generated texts, sort orders, pages 1–6, and
the timeline with the same filters. bench/mix.lua requests them at random.

A URL may name a page past the end of its results (a 404, as a researcher's stale link would):
the bench reports non-2xx answers by status rather than hiding them.
"""

import random
from urllib.parse import urlencode

from engagements.devtools import synthetic

# What the mix asks for, with weights: mostly the list, often the timeline.
PAGES = [("/encounters/", 80), ("/timeline/", 20)]
FILTER_COUNTS = [(0, 8), (1, 35), (2, 35), (3, 17), (4, 5)]
PAGE_WEIGHTS = [(1, 60), (2, 15), (3, 9), (4, 7), (5, 5), (6, 4)]
SORTS = [(None, 70), ("date", 15), ("-date", 10), ("relevance", 5)]


def pick(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def vocabulary():
    """The values a researcher could pick, read from the database and the generator's texts."""
    from django.db.models import Count, Q

    from engagements.models import Encounter, Person, Place, Topic

    published = Q(encounters__status=Encounter.Status.PUBLISHED)
    countries = sorted(
        Place.objects.annotate(n=Count("encounters", filter=published))
        .filter(n__gt=0)
        .values_list("country", flat=True)
        .distinct()
    )
    topics = list(Topic.objects.order_by("slug").values_list("slug", flat=True))
    # People weighted as researchers look them up: the well-known (busiest) more often.
    people = list(
        Person.objects.with_published_counts()
        .order_by("-encounter_count", "slug")
        .values_list("slug", flat=True)[:400]
    )
    words = [name.lower() for name, *_ in synthetic.TOPICS]
    words += synthetic.RARE_DETAILS[:40] + synthetic.ADJECTIVES
    words += ["tariffs", "fentanyl", "semiconductors", "visit", "dialogue", "summit", "students"]
    phrases = [f'"{text}"' for text in synthetic.AGREEMENTS + synthetic.CONCERNS[:8]]
    phrases += [f"{a} -{b}" for a, b in (("climate", "trade"), ("trade", "tariffs"))]
    return {
        "level": Encounter.Level.values,
        "kind": Encounter.Kind.values,
        "venue": Encounter.Venue.values,
        "initiated_by": Encounter.Initiator.values,
        "country": countries,
        "topic": topics,
        "person": people,
        "words": words,
        "phrases": phrases,
    }


def add_filter(rng, vocab, params):
    """One more filter of a kind not yet in `params`."""
    choice = pick(
        rng,
        [
            ("level", 16),
            ("kind", 14),
            ("venue", 8),
            ("country", 8),
            ("topic", 14),
            ("person", 10),
            ("dates", 14),
            ("q", 18),
            ("initiated_by", 3),
        ],
    )
    if choice in params or (choice == "dates" and "date_after" in params):
        return
    if choice in ("level", "kind", "venue"):
        params[choice] = rng.sample(vocab[choice], k=pick(rng, [(1, 75), (2, 25)]))
    elif choice in ("country", "initiated_by"):
        params[choice] = [rng.choice(vocab[choice])]
    elif choice == "topic":
        params[choice] = rng.sample(vocab["topic"], k=pick(rng, [(1, 85), (2, 15)]))
    elif choice == "person":
        # Busy people far more often than the long tail.
        index = min(int(rng.expovariate(1 / 40)), len(vocab["person"]) - 1)
        params[choice] = [vocab["person"][index]]
    elif choice == "dates":
        first = rng.randint(synthetic.FIRST_DAY.year, synthetic.LAST_DAY.year)
        last = min(synthetic.LAST_DAY.year, first + rng.choice((0, 0, 1, 2, 4, 9)))
        shape = rng.random()
        if shape < 0.5:
            params["date_after"] = [f"{first}-01-01"]
            params["date_before"] = [f"{last}-12-31"]
        elif shape < 0.8:
            params["date_after"] = [f"{first}-{rng.randint(1, 12):02d}-01"]
        else:
            params["date_before"] = [f"{last}-12-31"]
    else:
        text = rng.choice(vocab["phrases"] if rng.random() < 0.25 else vocab["words"])
        params["q"] = [text]


def mix_urls(count, seed):
    """`count` distinct paths with query strings, the same for the same seed and data."""
    rng = random.Random(seed)
    vocab = vocabulary()
    urls, seen = [], set()
    attempts = 0
    while len(urls) < count and attempts < count * 50:
        attempts += 1
        path = pick(rng, PAGES)
        params = {}
        for _ in range(pick(rng, FILTER_COUNTS)):
            add_filter(rng, vocab, params)
        if path == "/encounters/":
            sort = pick(rng, SORTS)
            if sort:
                params["sort"] = [sort]
            page = pick(rng, PAGE_WEIGHTS)
            if page > 1:
                params["page"] = [str(page)]
        query = urlencode(sorted((k, v) for k, values in params.items() for v in values))
        url = f"{path}?{query}" if query else path
        if url not in seen:
            seen.add(url)
            urls.append(url)
    return urls

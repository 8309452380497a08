"""Django loads an app's models from ``<app>.models``. The domain's models are defined in
``engagements/domain/models.py`` (docs/developers.md, "Layout"); this module is their public
name."""

from engagements.domain.counts import (
    EncounterLinks,
    MonthCount,
    PersonPublishedCount,
    PersonSideCount,
    PublishedFacetCount,
    TopicPublishedCount,
)
from engagements.domain.models import (
    SEARCH_CONFIG,
    CorrectionRequest,
    Discrepancy,
    Encounter,
    FormerSlug,
    OfficeTerm,
    Participation,
    Person,
    Place,
    Quote,
    RemovedEncounter,
    Side,
    Source,
    Topic,
)

__all__ = [
    "SEARCH_CONFIG",
    "CorrectionRequest",
    "Discrepancy",
    "Encounter",
    "EncounterLinks",
    "FormerSlug",
    "MonthCount",
    "OfficeTerm",
    "Participation",
    "Person",
    "PersonPublishedCount",
    "PersonSideCount",
    "Place",
    "PublishedFacetCount",
    "Quote",
    "RemovedEncounter",
    "Side",
    "Source",
    "Topic",
    "TopicPublishedCount",
]

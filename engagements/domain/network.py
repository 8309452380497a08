"""Who meets whom (/people/network/): the most connected people on each side of the filtered
encounters and the ties between them, for a server-drawn SVG and its tables.

A person's count is the number of filtered encounters they took part in, in any role, and a
tie's count the number in which both took part: exactly what the list shows for
?person=<slug> (and ?person=<a>&person=<b>) with the same filters. Two queries whatever the
number of encounters: the people (both sides in one pass over the participations, ranked per
side), then the ties among those shown.
"""

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, Max, Min

from engagements.models import Participation, PersonSideCount, Side

PEOPLE_PER_SIDE = 12
TIES_SHOWN = 40

# Drawing units: US people in a column on the left, PRC people on the right.
WIDTH = 720
NODE_X = {Side.US: 190, Side.PRC: WIDTH - 190}
TOP = 30
ROW = 34
MAX_RADIUS = 13
MIN_RADIUS = 4
MAX_TIE_WIDTH = 9


@dataclass
class Node:
    pk: int
    slug: str
    name: str
    side: str
    count: int
    x: float = 0
    y: float = 0
    radius: float = 0
    ties: int = 0
    url: str = ""  # the list of their filtered encounters

    @property
    def label_x(self):
        return self.x - self.radius - 6 if self.side == Side.US else self.x + self.radius + 6

    @property
    def anchor(self):
        return "end" if self.side == Side.US else "start"

    @property
    def label_y(self):
        return self.y + 4


@dataclass
class Tie:
    us: Node
    prc: Node
    count: int
    first: object
    last: object
    url: str = ""
    width: float = 1


@dataclass
class Network:
    sides: dict = field(default_factory=dict)  # side -> [Node]
    ties: list = field(default_factory=list)
    width: float = WIDTH
    height: float = 0
    per_side: int = PEOPLE_PER_SIDE

    @property
    def us(self):
        return self.sides.get(Side.US, [])

    @property
    def prc(self):
        return self.sides.get(Side.PRC, [])

    @property
    def side_headings(self):
        return [(Side.US.label, NODE_X[Side.US]), (Side.PRC.label, NODE_X[Side.PRC])]


def build_network(queryset, list_url, whole_record=False):
    """The network of `queryset` (filtered, published encounters); `list_url(*slugs)` links
    to the list of the encounters of those people. `whole_record`: the queryset is every
    published encounter, whose people's counts per side the database keeps."""
    encounters = queryset.order_by().values("pk")
    network = Network()
    for side in (Side.US, Side.PRC):
        network.sides[side] = []
    ranked = most_connected_kept() if whole_record else most_connected(encounters)
    for side, pk, slug, name, count in ranked:
        network.sides[side].append(Node(pk, slug, name, side, count, url=list_url(slug)))
    nodes = {node.pk: node for node in network.us + network.prc}
    if network.us and network.prc:
        rows = (
            Participation.objects.filter(
                encounter__in=encounters,
                side=Side.US,
                person__in=[node.pk for node in network.us],
                encounter__participations__side=Side.PRC,
                encounter__participations__person__in=[node.pk for node in network.prc],
            )
            .values("person", "encounter__participations__person")
            .annotate(
                # Each encounter gives a pair of people one row (one participation each).
                n=Count("encounter"),
                first=Min("encounter__start_date"),
                last=Max("encounter__start_date"),
            )
            .order_by("-n", "-last")[:TIES_SHOWN]
        )
        for row in rows:
            us, prc = nodes[row["person"]], nodes[row["encounter__participations__person"]]
            network.ties.append(
                Tie(us, prc, row["n"], row["first"], row["last"], list_url(us.slug, prc.slug))
            )
    layout(network)
    return network


def most_connected_kept():
    """most_connected() of every published encounter, from the counts kept per person and side
    (PersonSideCount): a dozen rows per side instead of every participation."""
    rows = []
    for side in (Side.US, Side.PRC):
        kept = PersonSideCount.objects.filter(side=side, encounters__gt=0)
        rows += kept.order_by("-encounters", "person__name").values_list(
            "side", "person", "person__slug", "person__name", "encounters"
        )[:PEOPLE_PER_SIDE]
    return rows


def most_connected(encounters):
    """The PEOPLE_PER_SIDE people with the most of `encounters` on each side, most first, then
    by name: (side, person id, slug, name, count) rows, US and PRC.

    One pass over the participations, counted per side and person id and only then joined to
    the people: joined first (as values("person__name") would), PostgreSQL carries each
    person's name through the grouping of every participation, twice as slow at 100,000
    encounters. The people are then numbered within each side."""
    sql, params = encounters.query.sql_with_params()
    query = (
        "WITH c AS (SELECT side, person_id, count(*) AS n FROM engagements_participation "
        f"WHERE side IN (%s, %s) AND encounter_id IN ({sql}) GROUP BY side, person_id) "
        "SELECT side, person_id, slug, name, n FROM ("
        "SELECT c.side, c.person_id, p.slug, p.name, c.n, row_number() OVER "
        "(PARTITION BY c.side ORDER BY c.n DESC, p.name) AS rank "
        "FROM c JOIN engagements_person p ON p.id = c.person_id) ranked "
        "WHERE rank <= %s ORDER BY side, rank"
    )
    # One participation per person and encounter (participation_one_per_person): a plain count
    # is the number of encounters, without DISTINCT's sort of every row.
    with connections[encounters.db].cursor() as cursor:
        cursor.execute(query, [Side.US, Side.PRC, *params, PEOPLE_PER_SIDE])
        return cursor.fetchall()


def layout(network):
    biggest = max((node.count for node in network.us + network.prc), default=1)
    for side, nodes in network.sides.items():
        for i, node in enumerate(nodes):
            node.x = NODE_X[side]
            node.y = TOP + ROW * (i + 0.5)
            node.radius = round(
                MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * (node.count / biggest) ** 0.5, 1
            )
    rows = max(len(network.us), len(network.prc), 1)
    network.height = TOP + ROW * rows + 10
    strongest = max((tie.count for tie in network.ties), default=1)
    for tie in network.ties:
        tie.width = round(1 + (MAX_TIE_WIDTH - 1) * tie.count / strongest, 1)
        tie.us.ties += 1
        tie.prc.ties += 1

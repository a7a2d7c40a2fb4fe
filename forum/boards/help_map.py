"""The help board's tile map: the county's ten municipalities as a schematic grid,
each tile with its open requests and offers, counted in one statement."""

from dataclasses import dataclass

import sqlalchemy as sa

from forum import permissions
from forum.boards.models import Category, HelpKind, HelpStatus, Municipality, Topic
from forum.extensions import db

#: (column, row) of each tile, roughly where the municipality lies in the county
#: (north up): Hankensbüttel and Wittingen in the north, Meinersen in the west,
#: Brome in the east, Papenteich, Isenbüttel and Boldecker Land in the south.
TILE_GRID: dict[Municipality, tuple[int, int]] = {
    Municipality.HANKENSBUETTEL: (1, 0),
    Municipality.WITTINGEN: (2, 0),
    Municipality.WESENDORF: (1, 1),
    Municipality.BROME: (2, 1),
    Municipality.MEINERSEN: (0, 2),
    Municipality.GIFHORN: (1, 2),
    Municipality.SASSENBURG: (2, 2),
    Municipality.PAPENTEICH: (0, 3),
    Municipality.ISENBUETTEL: (1, 3),
    Municipality.BOLDECKER_LAND: (2, 3),
}
COLUMNS, ROWS = 3, 4
#: One tile's box in SVG units, and the gap between tiles.
TILE_WIDTH, TILE_HEIGHT, GAP = 132, 84, 6


@dataclass(frozen=True)
class Tile:
    municipality: Municipality
    x: int
    y: int
    requests: int
    offers: int
    #: The list below is filtered to this municipality.
    active: bool

    @property
    def busy(self) -> bool:
        return bool(self.requests)


def open_help_counts(user, category: Category) -> dict[Municipality, dict[HelpKind, int]]:
    """Return the open requests and offers per municipality that ``user`` can see
    in the help category and its subcategories (one statement)."""
    categories = sa.select(Category.id).where(
        sa.or_(Category.id == category.id, Category.parent_id == category.id)
    )
    rows = db.session.execute(
        sa.select(Topic.municipality, Topic.help_kind, sa.func.count(Topic.id))
        .join(Topic.category)
        .where(
            permissions.visible_topics_clause(user),
            Topic.deleted_at.is_(None),
            Topic.category_id.in_(categories),
            Topic.help_status == HelpStatus.OPEN,
            Topic.municipality.is_not(None),
            Topic.help_kind.is_not(None),
        )
        .group_by(Topic.municipality, Topic.help_kind)
    )
    counts: dict[Municipality, dict[HelpKind, int]] = {}
    for municipality, kind, number in rows:
        counts.setdefault(municipality, {})[kind] = number
    return counts


def help_tiles(user, category: Category, active: Municipality | None = None) -> list[Tile]:
    """Return the ten tiles of the map with their counts and SVG positions."""
    counts = open_help_counts(user, category)
    return [
        Tile(
            municipality,
            x=column * (TILE_WIDTH + GAP),
            y=row * (TILE_HEIGHT + GAP),
            requests=counts.get(municipality, {}).get(HelpKind.REQUEST, 0),
            offers=counts.get(municipality, {}).get(HelpKind.OFFER, 0),
            active=municipality == active,
        )
        for municipality, (column, row) in TILE_GRID.items()
    ]


#: The SVG's size in its own units.
MAP_WIDTH = COLUMNS * TILE_WIDTH + (COLUMNS - 1) * GAP
MAP_HEIGHT = ROWS * TILE_HEIGHT + (ROWS - 1) * GAP

"""Movement Tiles as a kind of the console's Set-up: list, create, edit and archive, steps
and contra-indications one a line. The set-up pages read their kinds from ``KINDS`` here:
the core kinds and this one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from server.api.deps import Services
from server.ports.identity import AccessClaims
from server.tiles import service as tiles
from server.tiles.schemas import TileCreate, TileRead, TileUpdate
from server.web import setup_kinds
from server.web.setup_forms import LINES, NUMBER, SELECT, TEXTAREA, Field
from server.web.setup_kinds import Column, Context, Kind
from shared.movement import MovementIntensity


@dataclass(frozen=True)
class Shown:
    """A Tile as the set-up list and form read a row: its title is the row's name."""

    tile: TileRead

    @property
    def id(self) -> uuid.UUID:
        return self.tile.id

    @property
    def name(self) -> str:
        return self.tile.title


def _fields(ctx: Context) -> list[Field]:
    return [
        Field("title", "Title", required=True),
        Field("summary", "Summary", TEXTAREA, required=True, hint="One or two sentences"),
        Field("minutes", "Minutes", NUMBER, required=True, hint="5 to 10"),
        ctx.profile_field("intensity and contra-indications"),
        Field(
            "intensity",
            "Intensity",
            SELECT,
            [(i.value, i.value.capitalize()) for i in MovementIntensity],
            required=True,
        ),
        Field("steps", "Steps", LINES, required=True, hint="One step a line, in order"),
        Field(
            "contraindications",
            "Not for people with",
            LINES,
            hint="One a line, such as pregnancy or acute back pain",
        ),
        Field(
            "video_url",
            "Video link",
            hint="An https:// address; blank: no video",
            attrs={"autocapitalize": "none", "inputmode": "url"},
        ),
    ]


def _values(row: Shown) -> dict[str, Any]:
    t = row.tile
    return {
        "title": t.title,
        "summary": t.summary,
        "minutes": str(t.minutes),
        "intensity": t.intensity.value,
        "steps": "\n".join(t.steps),
        "contraindications": "\n".join(t.contraindications),
        "video_url": t.video_url or "",
        "profile_id": str(t.profile_id) if t.profile_id else "",
    }


def _rows(container: Services, claims: AccessClaims) -> list[Shown]:
    page = tiles.list_tiles(
        uow=container.read_uow(), claims=claims, include_archived=True, limit=200, offset=0
    )
    return [Shown(t) for t in page.items]


def _actions(row: Shown) -> list[tuple[str, str]]:
    if row.tile.archived_at is not None:
        return []
    return [("Archive", f"/manage/setup/tiles/{row.id}/archive")]


TILES = Kind(
    key="tiles",
    title="Movement Tiles",
    one="Tile",
    blurb="Short guided activities members do and tick off in the app.",
    fields=_fields,
    columns=(
        Column("Minutes", lambda r, _: str(r.tile.minutes)),
        Column("Intensity", lambda r, _: r.tile.intensity.value.capitalize()),
        Column("Status", lambda r, _: "Archived" if r.tile.archived_at else "In the app"),
    ),
    create_model=TileCreate,
    update_model=TileUpdate,
    rows=_rows,
    read=lambda c, claims, i: Shown(tiles.get_tile(uow=c.read_uow(), claims=claims, tile_id=i)),
    create=lambda c, claims, cmd: tiles.create_tile(uow=c.uow(), claims=claims, cmd=cmd),
    update=lambda c, claims, i, cmd: tiles.update_tile(
        uow=c.uow(), claims=claims, tile_id=i, cmd=cmd
    ),
    values=_values,
    defaults=lambda _: {"minutes": "5", "intensity": MovementIntensity.LIGHT.value},
    row_actions=_actions,
)

KINDS = {**setup_kinds.KINDS, TILES.key: TILES}

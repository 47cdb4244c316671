"""The name question: what an organisation, post or place was called on a date."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from chronos.dates import FuzzyDate
from chronos.entities import Catalogue, name_key
from chronos.events import Event, Renamed
from chronos.projections.answers import Certainty, When, span
from chronos.projections.state import State

__all__ = ["NameAnswer", "name_at", "renamed_keys"]


@attrs.frozen
class NameAnswer:
    """What an entity was called on a date; ``alternatives`` when a rename date leaves it open."""

    entity: str
    name: str
    certainty: Certainty
    alternatives: tuple[str, ...] = ()
    since: FuzzyDate | None = None
    events: tuple[Event, ...] = ()

    def __repr__(self) -> str:
        others = f" (or {', '.join(self.alternatives)})" if self.alternatives else ""
        since = f", since {self.since}" if self.since is not None else ""
        return f"NameAnswer({self.entity!r}: {self.name!r}{others}, {self.certainty}{since})"


def name_at(state: State, catalogue: Catalogue, entity: str, *, at: When) -> NameAnswer:
    """The name of ``entity`` on ``at``, from its `Renamed` events (the catalogue name when none)."""
    low, high = span(at)
    renames = sorted(state.renames.get(entity, ()), key=lambda r: (r.occurred.first, r.occurred.last, r.id))
    if not renames:
        return NameAnswer(entity, catalogue[entity].name, "certain")
    current = renames[0].former or catalogue[entity].name
    since: FuzzyDate | None = None
    because: tuple[Event, ...] = ()
    possible: list[str] = []
    for rename in renames:
        if rename.occurred.last <= low:
            current, since, because = rename.name, rename.occurred, (rename,)
            possible.clear()
        elif rename.occurred.first <= high:
            possible.append(rename.name)
            because = (*because, rename)
    if possible:
        return NameAnswer(entity, current, "possible", tuple(possible), since, because)
    return NameAnswer(entity, current, "certain", (), since, because)


def renamed_keys(events: Iterable[Event], catalogue: Catalogue) -> dict[str, set[str]]:
    """Every name a `Renamed` event gives or takes away, as `name_key` forms it, with the entity's id."""
    keys: dict[str, set[str]] = {}
    for event in events:
        if isinstance(event, Renamed) and event.entity in catalogue:
            for text in (event.name, event.former):
                if text:
                    keys.setdefault(name_key(text), set()).add(event.entity)
    return keys

"""One interface for finding a place by name (`PlaceLookup`), and its offline implementation over the gazetteer."""

from __future__ import annotations

from typing import Protocol

from tensions.data.gazetteer import Gazetteer, Place


class PlaceLookup(Protocol):
    """One way of turning a place name into coordinates."""

    name: str

    def geocode(self, query: str, *, country: str | None = None) -> Place | None: ...


class GazetteerLookup:
    """Looks names up in `places.csv`; never touches the network."""

    name = "gazetteer"

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._gazetteer = gazetteer

    def geocode(self, query: str, *, country: str | None = None) -> Place | None:
        place = self._gazetteer.lookup(query)
        if place is not None and country is not None and place.country != country:
            return None
        return place

"""Analytics over the whole archive (issue 14): term trends, speakers, distinctive terms,
co-attendance, places and a calendar, each filtered by the search query language and computed
from the search index's fast columns (docs/stats.md). Every result is a frozen dataclass with
``to_json()`` (the API's shape), ``table()`` (header and rows, for CSV and HTML tables) and
``caption()`` (what was counted); ``charts.render`` draws any of them as SVG or PNG."""

from __future__ import annotations

from .calendar import Calendar, calendar
from .distinctive import Distinctive, distinctive
from .network import Network, network
from .places import Places, places
from .speakers import PersonActivity, SpeakerStats, person_activity, speakers
from .trend import Trend, trend

Result = Trend | SpeakerStats | PersonActivity | Distinctive | Network | Calendar | Places

__all__ = [
    "Calendar",
    "Distinctive",
    "Network",
    "PersonActivity",
    "Places",
    "Result",
    "SpeakerStats",
    "Trend",
    "calendar",
    "distinctive",
    "network",
    "person_activity",
    "places",
    "speakers",
    "trend",
]

"""Co-attendance: who appears with whom in the matched events, weighted by events together.

Everybody an event names counts as there: its speakers and listed participants (resolved
person ids) and its Persons tags, a tag that is a name form of exactly one known person merged
into that person. Each event's own document carries them (``attendee``), so a network is one terms
aggregation by event with the attendees under it. A person's ego network keeps the events they
attended and the people met there, with the ties among those people too.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Final
from xml.etree import ElementTree as ET

from ..archive import Archive
from ..search import index as ix
from .scope import Scope, both, buckets, check_limit, check_query, terms_agg

MAX_NODES: Final = 1000
#: The attendees read, as a multiple of those kept: more, so that a Persons tag merged into a
#: person (who then counts the events of both) can still climb into the most present.
WIDER: Final = 2


@dataclass(frozen=True, slots=True)
class Node:
    """A person (``id`` a person id) or a Persons tag naming nobody known (``id`` "tag:NAME")."""

    id: str
    name: str
    events: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "events": self.events}


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    weight: int

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "weight": self.weight}


@dataclass(frozen=True, slots=True)
class Network:
    query: str
    person_id: str | None
    events: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "person_id": self.person_id,
            "events": self.events,
            "nodes": [n.to_json() for n in self.nodes],
            "edges": [e.to_json() for e in self.edges],
        }

    def table(self) -> tuple[list[str], list[list[str | int | float]]]:
        names = {n.id: n.name for n in self.nodes}
        header = ["source", "target", "events_together"]
        return header, [[names[e.source], names[e.target], e.weight] for e in self.edges]

    def caption(self) -> str:
        who = f"around {self.person_id} " if self.person_id else ""
        where = f"matching {self.query} " if self.query else ""
        return (
            f"Co-attendance {who}in the {self.events} events {where}: speakers, listed "
            "participants and Persons tags; an edge's weight is the events they shared."
        )

    def to_graphml(self) -> str:
        root = ET.Element("graphml", xmlns="http://graphml.graphdrawing.org/xmlns")
        for key, owner, name, kind in (
            ("name", "node", "name", "string"),
            ("events", "node", "events", "int"),
            ("weight", "edge", "weight", "int"),
        ):
            ET.SubElement(
                root, "key", {"id": key, "for": owner, "attr.name": name, "attr.type": kind}
            )
        graph = ET.SubElement(root, "graph", id="co-attendance", edgedefault="undirected")
        for node in self.nodes:
            element = ET.SubElement(graph, "node", id=node.id)
            ET.SubElement(element, "data", key="name").text = node.name
            ET.SubElement(element, "data", key="events").text = str(node.events)
        for n, edge in enumerate(self.edges):
            element = ET.SubElement(
                graph, "edge", id=f"e{n}", source=edge.source, target=edge.target
            )
            ET.SubElement(element, "data", key="weight").text = str(edge.weight)
        return _xml(root)

    def to_gexf(self) -> str:
        root = ET.Element("gexf", xmlns="http://gexf.net/1.3", version="1.3")
        graph = ET.SubElement(root, "graph", mode="static", defaultedgetype="undirected")
        attributes = ET.SubElement(graph, "attributes", {"class": "node"})
        ET.SubElement(attributes, "attribute", id="events", title="events", type="integer")
        nodes = ET.SubElement(graph, "nodes")
        for node in self.nodes:
            element = ET.SubElement(nodes, "node", id=node.id, label=node.name)
            values = ET.SubElement(element, "attvalues")
            ET.SubElement(values, "attvalue", {"for": "events", "value": str(node.events)})
        edges = ET.SubElement(graph, "edges")
        for n, edge in enumerate(self.edges):
            ET.SubElement(
                edges,
                "edge",
                id=f"e{n}",
                source=edge.source,
                target=edge.target,
                weight=str(edge.weight),
            )
        return _xml(root)


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def network(
    archive: Archive, *, query: str = "", person_id: str | None = None, limit: int = 100
) -> Network:
    """The co-attendance network of the events matching ``query`` (module docstring); with
    ``person_id``, that person's ego network. ``limit`` keeps the most present people."""
    if person_id is not None:
        person_id = archive.person(person_id).id
    return compute(Scope.of(archive), query=query, person_id=person_id, limit=limit)


def compute(
    scope: Scope, *, query: str = "", person_id: str | None = None, limit: int = 100
) -> Network:
    check_limit(limit, MAX_NODES)
    events = scope.events(check_query(query))
    if person_id is not None:
        events = both(events, scope.term("attendee", person_id))
    # By attendee, then the events of each: a few hundred buckets, where by event then
    # attendee made one per event and cost ~100x as much.
    # The ego attends every event read, so it is always among the most present.
    size = limit * WIDER
    result = scope.aggregate(
        events,
        {
            "a": terms_agg("attendee", size=size, aggs={"e": terms_agg("event_id")}),
            "n": {"value_count": {"field": "event_id"}},
        },
    )
    attended: dict[str, set[int]] = defaultdict(set)
    names: dict[str, str] = {}
    for bucket in buckets(result["a"]):
        node = _node_id(scope, str(bucket["key"]), names)
        attended[node].update(int(e["key"]) for e in buckets(bucket["e"]))
    return _graph(query, person_id, int(result["n"]["value"]), attended, names, limit)


def _node_id(scope: Scope, value: str, names: dict[str, str]) -> str:
    """A person id as is; a Persons tag as the one person it names, else "tag:NAME"; the
    node's display name goes into ``names``."""
    if value.startswith(ix.TAGGED):
        tag = value[len(ix.TAGGED) :]
        found = scope.people.named(tag)
        if len(found) != 1:
            names[f"tag:{tag}"] = tag
            return f"tag:{tag}"
        value = found[0]
    names[value] = scope.name(value)
    return value


def _graph(
    query: str,
    person_id: str | None,
    events: int,
    attended: dict[str, set[int]],
    names: dict[str, str],
    limit: int,
) -> Network:
    def rank(node: str) -> tuple[bool, int, str]:
        return (node != person_id, -len(attended[node]), node)

    kept = sorted(attended, key=rank)[:limit]
    at: dict[int, list[str]] = defaultdict(list)
    for node in kept:
        for event in attended[node]:
            at[event].append(node)
    pairs: Counter[tuple[str, str]] = Counter()
    for group in at.values():
        pairs.update(itertools.combinations(sorted(group), 2))
    nodes = tuple(Node(n, names[n], len(attended[n])) for n in kept)
    edges = tuple(Edge(a, b, w) for (a, b), w in sorted(pairs.items(), key=lambda i: (-i[1], i[0])))
    return Network(query, person_id, events, nodes, edges)

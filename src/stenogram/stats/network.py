"""Co-attendance: who appears with whom in the matched events, weighted by events together.

Everybody an event names counts as there: its speakers and listed participants (resolved
person ids) and its Persons tags, a tag that is a name form of exactly one known person merged
into that person. Each event's own document carries them (``attendee``), so a network is one terms
aggregation by event with the attendees under it. A person's ego network keeps the events they
attended and the people met there, with the ties among those people too.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Any, Final
from xml.etree import ElementTree as ET

from ..archive import Archive
from ..search import index as ix
from .scope import Scope, both, buckets, check_limit, check_query, terms_agg

MAX_NODES: Final = 1000


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
    result = scope.aggregate(
        events, {"e": terms_agg("event_id", aggs={"a": terms_agg("attendee")})}
    )
    groups = [
        {_node_id(scope, str(a["key"])) for a in buckets(e["a"])} for e in buckets(result["e"])
    ]
    return _graph(scope, query, person_id, groups, limit)


def _node_id(scope: Scope, value: str) -> str:
    """A person id as is; a Persons tag as the one person it names, else "tag:NAME"."""
    if not value.startswith(ix.TAGGED):
        return value
    name = value[len(ix.TAGGED) :]
    found = scope.people.named(name)
    return found[0] if len(found) == 1 else f"tag:{name}"


def _graph(
    scope: Scope, query: str, person_id: str | None, groups: list[set[str]], limit: int
) -> Network:
    attended = Counter(node for group in groups for node in group)
    if person_id is not None:
        kept = {person_id} | {
            n
            for n, _ in sorted(
                ((n, c) for n, c in attended.items() if n != person_id), key=lambda i: (-i[1], i[0])
            )[: limit - 1]
        }
    else:
        kept = {n for n, _ in sorted(attended.items(), key=lambda i: (-i[1], i[0]))[:limit]}
    pairs: Counter[tuple[str, str]] = Counter()
    for group in groups:
        pairs.update(itertools.combinations(sorted(group & kept), 2))
    nodes = tuple(
        Node(n, n[4:] if n.startswith("tag:") else scope.name(n), attended[n])
        for n in sorted(kept, key=lambda n: (-attended[n], n))
    )
    edges = tuple(Edge(a, b, w) for (a, b), w in sorted(pairs.items(), key=lambda i: (-i[1], i[0])))
    return Network(query, person_id, len(groups), nodes, edges)

"""kremlin.ru and en.kremlin.ru event pages, as the site serves them (HTML).

Only the ``<article>`` of a page holds the record; the rest (menus, share widgets, footer) is
three quarters of the bytes. The bytes are therefore cut to the article before the tree is built,
and the two facts that live outside it (the page language and its URL) are read from the
``<head>`` with a byte search. Which words the site prints ("Geography", "Published in
sections:", "Дата публикации:") come from ``data/kremlin.toml`` for the page's language, so a
Russian page is read by the same code as an English one.

The body (turns, narrative, participants) is read by :mod:`.kremlin_html_body`.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..errors import ParseError
from ..model import Document, Photo, Tag, Tags
from .common import decode, load_data, moscow_datetime, normalize_space, parse_date, parse_time
from .kremlin_html_body import read_body

NAME = "kremlin-html"

_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang=[\"']?([A-Za-z]{2,3})", re.I)
_ATTR = re.compile(rb"""\b(content|href)\s*=\s*["']([^"']*)["']""")
_KREMLIN_URL = re.compile(r"^https?://((?:[a-z]+\.)?kremlin\.ru)(/[^?#\s]*?/(\d+))/?(?:[?#].*)?$")
_ID_PATH = re.compile(r"(?:^|/)(\d+)(?:\.html?)?/?$")
_DIRECT_LINK = re.compile(r"/d/(\d+)")
_CATALOG_ID = re.compile(r"/catalog/[a-z_-]+/([^/?#]+)")
_UTF8_DECLARED = re.compile(rb"charset=[\"']?utf-?8", re.I)
_STRAY_BYTES = 2
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# Lead bytes of U+0300-U+036F: decomposed accents, which only decode() composes (NFC).
_COMBINING_LEADS = (b"\xcc", b"\xcd")
_LANG_IN_ARTICLE = re.compile(r"inLanguage\"?\s+content=\"([a-z]{2})")

# Blocks of the article that are not the event's text: galleries, "See also" boxes, pull quotes,
# videos and the footer of tags and publication status (read separately, before removal).
_NOT_TEXT = (
    ".slider, .media, .media__container, .read__cut, blockquote, "
    ".read__bottommeta, figure, video, script, style"
)


def sniff(data: bytes, name: str | None = None) -> float:
    """A kremlin page has the site's article classes and names the site in its head."""
    head = data[:200_000]
    if b"<html" not in head[:4096].lower() and b"<!doctype html" not in head[:4096].lower():
        return 0.0
    has_site = b"kremlin.ru" in head
    has_layout = b"entry-title" in head and b"read__" in head
    if has_site and has_layout:
        return 0.95
    return 0.6 if has_layout else 0.0


def parse(data: bytes, *, origin: str | None = None) -> Document:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = decode(data, origin).encode("utf-8")
    warnings: list[str] = []
    start, end = data.find(b"<article"), data.rfind(b"</article>")
    if start < 0 or end < start:
        warnings.append("no <article> element: read the whole page")
        head, article = data[:4096], data
    else:
        head, article = data[:start], data[start : end + len(b"</article>")]
    metas = _head_metas(head)
    tree = LexborHTMLParser(_tree_input(article, head, origin, warnings))
    root = tree.css_first("article") or tree.body
    if root is None:
        raise ParseError("not a kremlin.ru event page (no article)", document=origin)

    # Name and term links carry hidden tooltips that repeat the name surname-first: they must
    # never reach any text, so they go before anything is read.
    for tooltip in root.css(".read__tooltip, span.masha-ignore"):
        tooltip.decompose()
    language = _language(head, article, warnings)
    labels = _labels(language)
    # Each query walks only the part of the article it concerns: the page is read in one pass
    # of the tree builder and a few short walks, which is what keeps the parser fast.
    top = root.css_first(".read__top") or root
    body = root.css_first(".entry-content")
    bottom = (body.css_first(".read__bottommeta") if body is not None else None) or root
    title = _text(top.css_first("h1.entry-title") or root.css_first("h1"))
    if not title:
        raise ParseError("not a kremlin.ru event page (no title)", document=origin)

    site = str(labels.get("source") or "kremlin.ru")
    source_id, url, host = _identity(metas, root, bottom.css_first("a.print_link"), site)
    date = _date(top, language)
    time_text = _text(top.css_first(".read__time"))
    time = parse_time(time_text) if time_text else None
    if date is None and b"announce_date" not in article:
        warnings.append("no event date on the page")

    tags = _tags(bottom, labels, warnings)
    sections, published = _status(bottom, labels, language)
    photos = _photos(body or root, language)
    if body is not None:
        for node in body.css(_NOT_TEXT):
            node.decompose()
    content = read_body(body, language, tags.persons)
    warnings.extend(content.warnings)

    return Document(
        source=host or site,
        title=title,
        language=language,
        format=NAME,
        source_id=source_id,
        url=url,
        category=_text(top.css_first(".read__categ")) or None,
        summary=_text(top.css_first(".read__lead")) or None,
        date=date,
        time=time,
        place=_text(top.css_first(".read__place")) or None,
        published=published,
        sections=sections,
        tags=tags,
        photos=photos,
        participants=content.participants,
        speeches=content.speeches,
        narrative=content.narrative,
        omissions=content.omissions,
        warnings=tuple(warnings),
        origin=origin,
    )


def _tree_input(
    article: bytes, head: bytes, origin: str | None, warnings: list[str]
) -> bytes | str:
    """Clean UTF-8 goes to the tree builder as bytes (the common case, and the fastest); anything
    that needs :func:`~.common.decode` (another encoding, control characters, decomposed accents)
    goes through it."""
    article = article.removeprefix(b"\xef\xbb\xbf")
    try:
        article.decode("utf-8")
    except UnicodeDecodeError as exc:
        replaced = article.decode("utf-8", "replace")
        if replaced.count("\ufffd") > _STRAY_BYTES or not _UTF8_DECLARED.search(head[:4096]):
            return decode(article, origin)  # another encoding (whatever the page declares)
        # A UTF-8 page with a stray byte: read as cp1251 it would garble every quote mark.
        warnings.append(f"invalid UTF-8 byte at {exc.start} of the article replaced")
        return decode(replaced.encode("utf-8"), origin)
    if len(article.translate(None, _CONTROL_BYTES)) != len(article) or any(
        lead in article for lead in _COMBINING_LEADS
    ):
        return decode(article, origin)
    return article


def _text(node: LexborNode | None) -> str:
    return normalize_space(node.text()) if node is not None else ""


def _head_metas(head: bytes) -> dict[str, str]:
    """``og:url`` and the canonical link from the head, by byte search rather than a tree."""
    found: dict[str, str] = {}
    for key, marker in (("og:url", b'"og:url"'), ("canonical", b'"canonical"')):
        at = head.find(marker)
        if at < 0:
            continue
        tag = head[head.rfind(b"<", 0, at) : head.find(b">", at) + 1]
        attrs = dict(_ATTR.findall(tag))
        value = attrs.get(b"content") or attrs.get(b"href")
        if value:
            found[key] = value.decode("utf-8", "replace")
    return found


@cache
def _known_languages() -> frozenset[str]:
    return frozenset(k for k, v in load_data("kremlin.toml").items() if "source" in v)


def _labels(language: str) -> dict[str, Any]:
    table: dict[str, Any] = load_data("kremlin.toml")[language]
    return table


def _language(head: bytes, article: bytes, warnings: list[str]) -> str:
    """The page's own declaration: ``<html lang>``, else the article's ``inLanguage``."""
    m = _HTML_LANG.search(head)
    language = m.group(1).decode("ascii").lower() if m else ""
    if not language:
        found = _LANG_IN_ARTICLE.search(article[:20_000].decode("ascii", "ignore"))
        language = found.group(1) if found else ""
    if language not in _known_languages():
        cyrillic = re.search(rb"[\xd0\xd1][\x80-\xbf]", article[:20_000]) is not None
        guess = "ru" if cyrillic else "en"
        warnings.append(f"page language {language or 'not declared'}: read as {guess!r}")
        language = guess
    return language


def _identity(
    metas: dict[str, str], root: LexborNode, link: LexborNode | None, site: str
) -> tuple[str | None, str | None, str | None]:
    """(source_id, url, host) from ``og:url``, the canonical link or the "Direct link" line."""
    for key in ("og:url", "canonical"):
        m = _KREMLIN_URL.match(metas.get(key, "").strip())
        if m:
            return m.group(3), f"http://{m.group(1)}{m.group(2)}", m.group(1)
    source_id = None
    canonical = _ID_PATH.search(metas.get("canonical", "").strip())
    if canonical:
        source_id = canonical.group(1)
    host = None
    if link is not None:
        href = link.attrs.get("href") or ""
        direct = _DIRECT_LINK.search(href)
        source_id = source_id or (direct.group(1) if direct else None)
        host_match = re.match(r"https?://((?:[a-z]+\.)?kremlin\.ru)/", href)
        host = host_match.group(1) if host_match else None
    if source_id is None:
        event = re.fullmatch(r"event-(\d+)", root.attrs.get("id") or "")
        source_id = event.group(1) if event else None
    if source_id is None:
        return None, None, host
    return source_id, f"http://{host or site}/events/president/news/{source_id}", host


def _date(root: LexborNode, language: str) -> dt.date | None:
    node = root.css_first("time.read__published")
    if node is None:
        return None
    stamp = node.attrs.get("datetime") or ""
    try:
        return dt.date.fromisoformat(stamp[:10])
    except ValueError:
        return parse_date(_text(node), language)


def _label_match(text: str, candidates: list[str]) -> str | None:
    """The rest of ``text`` after whichever printed label it starts with (case-insensitive)."""
    lowered = text.lower()
    for label in candidates:
        if lowered.startswith(label.lower()):
            return text[len(label) :].strip()
    return None


def _tags(root: LexborNode, labels: dict[str, Any], warnings: list[str]) -> Tags:
    found: dict[str, list[Tag]] = {"geography": [], "topics": [], "persons": []}
    for column in root.css(".read__tagscol"):
        heading = _text(column.css_first("h3, h2, h4"))
        kind = next(
            (k for k in found if any(heading.lower() == h.lower() for h in labels.get(k, ()))),
            None,
        )
        if kind is None:
            warnings.append(f"unknown tag list {heading!r}")
            continue
        for link in column.css("a[href]"):  # not the "1 more" expander
            name = _text(link)
            if not name:
                continue
            href = link.attrs.get("href") or None
            ident = _CATALOG_ID.search(href) if href else None
            found[kind].append(Tag(name, ident.group(1) if ident else None, href))
    return Tags(*(tuple(found[k]) for k in ("geography", "topics", "persons")))


def _status(
    root: LexborNode, labels: dict[str, Any], language: str
) -> tuple[tuple[str, ...], dt.datetime | None]:
    """Sections and publication date-time from the "Publication status" box."""
    sections: tuple[str, ...] = ()
    published = None
    for para in root.css(".read__status p"):
        text = _text(para)
        listed = _label_match(text, labels.get("sections", []))
        if listed is not None:
            names = [_text(a) for a in para.css("a")]
            sections = tuple(n for n in names if n) or tuple(
                s.strip() for s in listed.split(",") if s.strip()
            )
            continue
        when = _label_match(text, labels.get("published", []))
        if when is not None:
            stamp = para.css_first("time")
            day = None
            if stamp is not None:
                try:
                    day = dt.date.fromisoformat((stamp.attrs.get("datetime") or "")[:10])
                except ValueError:
                    day = None
            day = day or parse_date(when, language)
            if day is not None:
                # The printed time follows the date after a comma ("May 20, 2011, 12:00").
                published = moscow_datetime(day, parse_time(when.rpartition(",")[2]))
    return sections, published


@cache
def _credit_pattern(language: str) -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in _labels(language).get("photo_credit", ()))
    return re.compile(rf"(?:^|\s)(?:{words})\s*(?P<credit>[^.]+?)\.?\s*$")


def _split_credit(text: str, language: str) -> tuple[str | None, str | None]:
    """ "Group photo. Photo: Sergey Guneev, RIA Novosti" -> (caption, credit)."""
    text = normalize_space(text.replace("\\'", "'").replace('\\"', '"'))
    m = _credit_pattern(language).search(text)
    if not m:
        return text or None, None
    return text[: m.start()].strip() or None, m.group("credit").strip() or None


def _photos(scope: LexborNode, language: str) -> tuple[Photo, ...]:
    """Gallery slides in order ("3 of 7") and single photos; a credit is printed after the
    caption in the slide's description ("... Photo: TASS")."""
    photos: list[Photo] = []
    for block in scope.css(".slider, .media"):
        if "slider" in (block.attrs.get("class") or "").split():
            photos.extend(_slides(block, language))
            continue
        img = block.css_first("img")
        if img is None:
            continue
        title = _text(block.css_first(".media__title")) or (img.attrs.get("alt") or "")
        caption, credit = _split_credit(title, language)
        photos.append(Photo(caption=caption, credit=credit, url=img.attrs.get("src") or None))
    return tuple(photos)


def _slides(slider: LexborNode, language: str) -> list[Photo]:
    slides = slider.css(".slide")
    photos: list[Photo] = []
    for position, slide in enumerate(slides, 1):
        block = slide.css_first("[data-text]")
        img = slide.css_first("img")
        shown = block.attrs.get("data-text") if block is not None else None
        described = slide.attrs.get("data-cycle-desc") or ""
        caption, credit = _split_credit(shown or described, language)
        if credit is None and described:
            _, credit = _split_credit(described, language)
        url = (img.attrs.get("src") or None) if img is not None else None
        photos.append(Photo(caption, credit, url, position, len(slides)))
    return photos

"""Who a pm-au label names: the tables of known labels, loose matching against them, and the
resolution of a label ("PM", "MR HOWARD", "THE TREASURER") to a person or a role.

Apart from :mod:`.pm_au` (the XML, the lines and the turns) because labels are the part that
grows with every oddity of typing found in the transcripts.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

from .common import load_data, normalize_space
from .labels import first_last, is_given_name, is_nonperson, person_of

NOTE = re.compile(r"\s*\([^()]*\)")
_TRAILING_DIGITS = re.compile(r"\s*\d+$")
_CAP_AFTER = re.compile(r"(^|[-'’])([a-z])(?=[a-z]{2})")

# Known labels by (first letter, length), each with its set of letters: a typo keeps the first
# letter and a length within the tolerance, and each edit changes the set of letters by at most
# two, so only a few words are worth an edit distance.
_Index = dict[tuple[str, int], tuple[tuple[str, frozenset[str]], ...]]


@dataclass(frozen=True, slots=True)
class _Tables:
    pm_forms: frozenset[str]
    pm_role: str
    honorifics: frozenset[str]
    postnominals: frozenset[str]
    nonperson: frozenset[str]
    aliases: dict[str, str]
    role_heads: frozenset[str]
    small_words: frozenset[str]
    not_labels: frozenset[str]
    end_marks: frozenset[str]
    header_phrases: tuple[str, ...]
    spoken_types: frozenset[str]
    prose: frozenset[str]
    pm_by_length: tuple[str, ...]  # longest first, so "the prime minister" wins over "pm"
    nonperson_keys: frozenset[str]  # non-person labels and the short forms of aliases
    near_index: dict[str, _Index]  # "pm" / "nonperson" -> candidates for a fuzzy match
    near_reach: dict[str, frozenset[tuple[str, int]]]  # (first letter, length) a typo may have
    end_head: re.Pattern[str]  # text that may be an end mark: it opens with a mark's first word
    not_end_initials: frozenset[str]  # ASCII letters that open no end mark, in either case


@cache
def tables() -> _Tables:
    data = load_data("pm_au.toml")
    shared = load_data("labels.toml")["en"]

    def low(values: Iterable[object]) -> frozenset[str]:
        return frozenset(str(v).lower() for v in values)

    def index(words: frozenset[str]) -> _Index:
        groups: dict[tuple[str, int], list[tuple[str, frozenset[str]]]] = {}
        for word in sorted(words):
            groups.setdefault((word[:1], len(word)), []).append((word, frozenset(word)))
        return {k: tuple(v) for k, v in groups.items()}

    pm_forms = low(data["prime_minister"])
    aliases = {str(k).lower(): str(v) for k, v in data["aliases"].items()}
    nonperson = low(data["nonperson"]) | low(shared["nonperson"])
    nonperson_keys = nonperson | aliases.keys()
    end_marks = low(data["text"]["end_marks"])
    # Only a prefilter for _is_end (which decides exactly): re.I accepts at least what lower() does.
    heads = "|".join(sorted({re.escape(m.split()[0]) for m in end_marks if m.split()}))
    near_index = {"pm": index(pm_forms), "nonperson": index(nonperson_keys)}
    # A line opening with a letter opens end_head with it: it must be a mark's first letter.
    first = "|".join({re.escape(m.split()[0][0]) for m in end_marks if m.split()}) or "(?!)"
    return _Tables(
        pm_forms=pm_forms,
        pm_role=str(data["prime_minister_role"]),
        honorifics=low(data["honorifics"]),
        postnominals=low(data["postnominals"]),
        nonperson=nonperson,
        aliases=aliases,
        role_heads=low(data["roles"]["heads"]),
        small_words=low(data["roles"]["small_words"]),
        not_labels=low(data["text"]["not_labels"]),
        end_marks=end_marks,
        header_phrases=tuple(str(v).lower() for v in data["text"]["header_phrases"]),
        spoken_types=low(data["text"]["spoken_types"]),
        prose=low(shared["prose_words"]),
        pm_by_length=tuple(sorted(pm_forms, key=lambda f: (-len(f), f))),
        nonperson_keys=nonperson_keys,
        near_index=near_index,
        near_reach={  # within 3, the largest tolerance (tolerance)
            table: frozenset((letter, size + d) for letter, size in index for d in range(-3, 4))
            for table, index in near_index.items()
        },
        end_head=re.compile(rf"\W*(?:{heads or '(?!)'})(?!\w)", re.I),
        not_end_initials=frozenset(c for c in string.ascii_letters if not re.match(first, c, re.I)),
    )


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance when it is at most ``limit``, else ``limit + 1``.

    Only the band of cells within ``limit`` of the diagonal is computed: a path leaving it costs
    more than ``limit`` anyway, and labels are matched against every known label, so the full
    table made this the parser's largest cost.
    """
    over = limit + 1
    if abs(len(a) - len(b)) > limit:
        return over
    if a == b:
        return 0
    size = len(b)
    previous = [j if j <= limit else over for j in range(size + 1)]
    for i, ca in enumerate(a, 1):
        current = [over] * (size + 1)
        if i <= limit:
            current[0] = i
        lowest = current[0]
        for j in range(max(1, i - limit), min(size, i + limit) + 1):
            cell = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != b[j - 1]))
            if cell > over:
                cell = over
            current[j] = cell
            if cell < lowest:
                lowest = cell
        if lowest > limit:
            return over
        previous = current
    return previous[size]


def tolerance(word: str) -> int:
    letters = len(word.replace(" ", ""))
    return 3 if letters >= 12 else 2 if letters >= 9 else 1 if letters >= 5 else 0


def near(key: str, table: str) -> str | None:
    """The known label ``key`` is a typo of ("journalst" -> "journalist"), if any.

    ``table`` is "pm" or "nonperson". Most keys are sentence starts, not labels: those with no
    known label of their first letter and a near length are answered here, not in the cache.
    """
    t = tables()
    if key in (t.pm_forms if table == "pm" else t.nonperson_keys):
        return key
    if (key[:1], len(key)) not in t.near_reach[table]:
        return None
    return _typo_of(key, table)


@lru_cache(maxsize=16384)
def _typo_of(key: str, table: str) -> str | None:
    """:func:`near` for a key that is no known label; cached: transcripts repeat their labels."""
    t = tables()
    if len(key) > 30:
        return None
    limit = tolerance(key)
    if not limit:
        return None
    index = t.near_index[table]
    letters = frozenset(key)
    best: tuple[int, str] | None = None
    for size in range(len(key) - limit, len(key) + limit + 1):
        for word, word_letters in index.get((key[:1], size), ()):
            if len(letters ^ word_letters) > 2 * limit:
                continue
            d = distance(key, word, limit)
            # Ties go to the alphabetically first word, so the result never depends on set order.
            if d <= limit and (best is None or (d, word) < best):
                best = (d, word)
    return best[1] if best else None


def label_key(label: str) -> str:
    """A label reduced for matching: no notes, no edge punctuation, lower case."""
    if "(" in label:  # most labels have no note, and the pattern is slower than the test
        label = NOTE.sub(" ", label)
    return normalize_space(label).strip(" .,:;-'\"").lower()


def label_head(key: str) -> str:
    """The name part of a label that goes on to say who the person is, after a dash or a
    comma ("matt ridley - the viscount ridley dl, house of lords" -> "matt ridley")."""
    for separator in (" - ", " – ", " — ", ", "):
        head, sep, tail = key.partition(separator)
        if sep and head and tail:
            return head
    return key


def label_base(key: str) -> str:
    """A key without its number ("journalist 2" -> "journalist"): a key, which holds no line
    break, can only end with one, and the regex would try every position of every key."""
    return _TRAILING_DIGITS.sub("", key) if key[-1:].isdecimal() else key


def has_lower(text: str) -> bool:
    """Whether ``text`` holds a lower-case letter; at C speed for ASCII: upper() changes those."""
    return text != text.upper() if text.isascii() else any(map(str.islower, text))


def _smart_title(text: str) -> str:
    """Capitals as printed in labels ("LEIGH SALES") to the case of a name ("Leigh Sales")."""
    if has_lower(text):
        return text
    small = tables().small_words
    words = []
    for i, word in enumerate(text.lower().split()):
        if i and word in small:
            words.append(word)
            continue
        word = _CAP_AFTER.sub(lambda m: m.group(1) + m.group(2).upper(), word)
        word = word[:1].upper() + word[1:]
        if word.startswith("Mc") and len(word) > 3:
            word = "Mc" + word[2].upper() + word[3:]
        words.append(word)
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Who:
    speaker: str | None
    role: str | None
    known: bool  # a label every transcript uses (PM, journalist...), needing no corroboration


@dataclass(slots=True)
class Context:
    """What one transcript says about its speakers: the PM, its title, its other labels."""

    pm_name: str | None
    pm_surname: str
    pm_given: str
    title: str
    label_keys: Counter[str] = field(default_factory=Counter)
    # Labels already resolved; valid while label_keys, which _full_name reads, is unchanged.
    resolved: dict[str, Who] = field(default_factory=dict)


def context(pm_field: str, title: str) -> Context:
    surname, _, given = pm_field.partition(",")
    name = first_last(pm_field, "en") if pm_field else None
    return Context(name, surname.strip().lower(), given.strip().lower(), title)


def _is_pm_name(words: list[str], ctx: Context) -> bool:
    if not words or not ctx.pm_surname:
        return False
    surname = ctx.pm_surname.split()[-1]
    if distance(words[-1], surname, tolerance(surname)) > tolerance(surname):
        return False
    given = ctx.pm_given.split()[0] if ctx.pm_given else ""
    return len(words) == 1 or (bool(given) and words[0] in (given, given[:1]))


def _initials(key: str, ctx: Context) -> Who | None:
    """ "PJK", "JL": initials stand for the PM or for a name printed in the title."""
    letters = key.replace(".", "").replace(" ", "")
    if not (2 <= len(letters) <= 3 and letters.isalpha()):
        return None
    if ctx.pm_name and letters[0] == ctx.pm_given[:1] and letters[-1] == ctx.pm_surname[:1]:
        return Who(ctx.pm_name, tables().pm_role, True)
    words = re.findall(r"[A-Za-z][A-Za-z'’-]+", ctx.title)
    for i in range(len(words) - 1):
        pair = words[i : i + 2]
        # "KOB" is Kerry O'Brien: a letter after an apostrophe counts as an initial too.
        initials = "".join(w[0] + "".join(re.findall(r"['’](\w)", w)) for w in pair).lower()
        if initials in (letters, letters[0] + letters[-1]):
            name = person_of(_smart_title(" ".join(pair).upper()), "en")[1]
            if name and len(name.split()) == 2:
                return Who(name, None, False)
    return Who(None, None, False)


def _full_name(surname: str, ctx: Context) -> str | None:
    """A surname alone ("MITCHELL") completed from another label ("NEIL MITCHELL") or the title."""
    for other in ctx.label_keys:
        words = other.split()
        if len(words) == 2 and words[-1] == surname and words[0] not in tables().role_heads:
            return _smart_title(other.upper())
    pattern = rf"\b([A-Za-z][A-Za-z'’-]+)\s+{re.escape(surname)}\b"
    m = next(_title_matches(pattern, surname, ctx.title), None)
    if m:
        pair = _smart_title(f"{m.group(1)} {surname}".upper())
        name = person_of(pair, "en")[1]
        if name and len(name.split()) == 2 and m.group(1).lower() not in tables().prose:
            return name
        # "Madonna King": a known given name makes a surname that is also an office a person's.
        if is_given_name(m.group(1), "en"):
            return pair
    return None


def _title_matches(pattern: str, word: str, title: str) -> Iterator[re.Match[str]]:
    """Matches in a title, ignoring case, of a pattern built from a label and spelling ``word``.
    Such patterns outnumber what ``re`` caches, and compiling one cost more than the rest of
    resolving a label; and if both are ASCII, a title without ``word`` (most) cannot match."""
    if title.isascii() and word.isascii() and word.lower() not in title.lower():
        return iter(())
    return _compiled(pattern).finditer(title)


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    """A title pattern, compiled once: the same interviewers and offices recur across items."""
    return re.compile(pattern, re.I)


def _holder(role: str, ctx: Context) -> str | None:
    """The person the title names beside a role label ("MINISTER FOR FINANCE").

    Titles introduce guests by office: "with the Treasurer, the Hon. Peter Costello MP" or
    "with Senator the Hon. Mathias Cormann, Minister for Finance".
    """
    t = tables()
    pattern = r"\s+".join(re.escape(w) for w in role.split())
    for m in _title_matches(rf"(?<![\w-]){pattern}(?![\w-])", role.split()[0], ctx.title):
        before = ctx.title[: m.start()].split()
        opener = not before or before[-1].endswith(",") or before[-1].lower() in t.small_words
        if not (opener or before[-1].lower() == "with"):
            continue  # "Deputy Prime Minister" is another office than "Prime Minister"
        after = ctx.title[m.end() :].lstrip(" ,").split()
        name = _name_in(after[:6], forward=True) or _name_in(before[-6:], forward=False)
        if name:
            return name
    return None


def _name_in(tokens: list[str], *, forward: bool) -> str | None:
    """Two name words next to a role in a title, past honorifics and post-nominals."""
    t = tables()
    skip = t.honorifics | t.postnominals | {"senator"}
    words = [w.strip(",.") for w in tokens]
    if not forward:
        cut = max((i for i, w in enumerate(tokens) if w.endswith(",")), default=-1)
        if cut != len(tokens) - 1:
            return None  # "..., Cormann, Minister": the name ends at the comma before the role
        words = words[::-1]
    found: list[str] = []
    for word in words:
        key = word.lower()
        if key in skip and not found:
            continue
        if not word[:1].isupper() or key in skip or key in t.small_words:
            break
        found.append(word)
        if len(found) == 2:
            break
    if len(found) != 2:
        return None
    pair = _smart_title(" ".join(found if forward else found[::-1]).upper())
    name = person_of(pair, "en")[1]
    return name if name and len(name.split()) == 2 else None


def resolve(label: str, ctx: Context) -> Who:
    """Who a label names: the PM, a non-person ("Journalist"), a role, or a named person."""
    t = tables()
    key = label_key(label)
    base = label_base(key)
    if near(key, "pm"):
        return Who(ctx.pm_name, t.pm_role, True)
    if base in t.aliases:
        return Who(t.aliases[base], None, True)
    nonperson = near(base, "nonperson")
    if nonperson or is_nonperson(base, "en"):
        word = t.aliases.get(nonperson or "", "") or (nonperson or base).title()
        return Who(word + key[len(base) :], None, True)
    head = label_head(key)
    if head != key:
        return _described(head, key[len(head) :].lstrip(" -–—,"), ctx)
    words = [w for w in key.split() if w.rstrip(".") not in t.honorifics]
    while len(words) > 2 and words[-1] in t.postnominals:
        words.pop()
    after_pm = _after_pm_form(words)
    if after_pm is not None and (not after_pm or _is_pm_name(after_pm, ctx)):
        return Who(ctx.pm_name, t.pm_role, True)
    if after_pm is None and _is_pm_name(words, ctx):
        return Who(ctx.pm_name, t.pm_role, True)
    if len(words) == 1 and len(words[0]) >= 3:
        # "COX", "KING": a surname alone that the title names in full ("Interview with Tim
        # Cox") is that person, not initials and not an office.
        named = _full_name(words[0], ctx)
        if named:
            return Who(named, None, False)
    compact = re.sub(r"[\s.]", "", key)
    if compact == "pm" or (len(compact) == 3 and compact.startswith("pm")):
        return Who(ctx.pm_name, t.pm_role, True)  # "P M", "PMV": scanning slips of "PM"
    initials = _initials(key, ctx)
    if initials:
        return initials
    if after_pm:
        return Who(_smart_title(" ".join(after_pm).upper()), t.pm_role, False)
    text = _smart_title(" ".join(words).upper())
    role, name = person_of(text, "en")
    if name is None or words[-1] in t.role_heads:
        if any(w in t.role_heads for w in words):
            return Who(_holder(text, ctx), text, False)
        return Who(text, None, False)
    if len(name.split()) == 1:
        name = _full_name(name.lower(), ctx) or name
    return Who(name, role, False)


def _described(head: str, tail: str, ctx: Context) -> Who:
    """A name and, after a dash or comma, what the person is: "PETER ORCHARD – CANTEEN", "IAN –
    CALLER", "MATT RIDLEY - THE VISCOUNT RIDLEY DL, HOUSE OF LORDS"; or the office first and
    the name after it ("MINISTER FOR FINANCE, THE HON. MATHIAS CORMANN MP")."""
    t = tables()
    opening = [w.rstrip(".") for w in tail.split() if w != "the"][:1]
    if opening and opening[0] in t.honorifics | {"senator"}:
        who = resolve(tail, ctx)
        if who.speaker and not who.known:
            return Who(who.speaker, _smart_title(head.upper()), False)
    who = resolve(head, ctx)
    if tail in t.not_labels or tail in t.postnominals or who.known:
        return who  # "UNION MEMBER - EXCERPT": a note on the text, not where the person is
    if who.speaker is None and who.role is None:  # "IAN – CALLER": a first name
        return Who(_smart_title(head.upper()), _smart_title(tail.upper()), False)
    if who.speaker is None:
        named = resolve(tail, ctx)  # "THE PRESIDENT OF THE ..., MAYOR DAVID O'LOUGHLIN"
        if named.speaker and named.role and not named.known:
            return Who(named.speaker, f"{_smart_title(head.upper())}, {named.role}", False)
        # "MINISTER FOR INDUSTRY, INNOVATION AND SCIENCE": one office
        text = _smart_title(f"{head}, {tail}".upper())
        return Who(_holder(text, ctx), text, False)
    role = ", ".join(part for part in (who.role, _smart_title(tail.upper())) if part)
    return Who(who.speaker, role, False)


def _after_pm_form(words: list[str]) -> list[str] | None:
    """The words after "PRIME MINISTER"/"PM" at the start of a label; None without that prefix."""
    for form in tables().pm_by_length:
        size = len(form.split())
        head = " ".join(words[:size])
        if head == form or (size > 1 and distance(head, form, 2) <= 2):
            return words[size:]
    return None

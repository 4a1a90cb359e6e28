"""Read a field name as concept units.

A name's words are expanded (abbreviations), grouped into the longest phrases the
thesaurus knows ('date of birth', 'collar number') and read as weighted concepts with
synonyms merged ('family name' and 'SNAME' both name ``surname``). Every unit also
keeps its literal stems, so that the very same word beats a synonym.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from tools.names.fuzzy import TYPO_CREDIT, closest_word
from tools.names.stem import stem
from tools.names.thesaurus import Entry, Expansion, Thesaurus
from tools.names.tokenise import pointer_words, split_words

# A synonym is a little less sure than the same word: 'Crime type' should prefer
# crime_type to offence_type although crime and offence name one concept.
SYNONYM_DISCOUNT = 0.96
LITERAL = "="  # prefix of the pseudo-concept that holds a unit's own stems
# A description says what a field is in its first sentence or two; the rest (examples,
# formats, caveats) only adds noise and time.
MAX_TEXT_WORDS = 60


@dataclass(frozen=True, slots=True)
class Unit:
    """One word or phrase of a name, read as concepts."""

    surface: str  # as written: 'SNAME', 'COLLAR NO', 'family name'
    reading: str  # the abbreviations spelt out ('surname', 'collar number'); '' if none
    label: str  # the concept it most surely names, or its words when the thesaurus does not know it
    concepts: tuple[tuple[str, float], ...]  # (concept id or LITERAL + stems, strength 0..1)
    broader: frozenset[str]  # concepts present only as broader ones (surname -> name)
    known: bool  # the thesaurus knows it
    importance: float  # IDF-like: generic words count less
    role: str | None  # 'subject' / 'entity' when it names whom a field is about
    words: tuple[str, ...]  # lower-case words after expansion, for spelling comparisons
    segment: int  # index of the last pointer segment it covers
    respelt: bool = False  # a misspelt word was read as a thesaurus word


@dataclass(slots=True)
class _Token:
    stem: str
    word: str  # lower case, after expansion
    written: str  # the word as the name writes it
    origin: tuple[int, int]  # (segment, position) of the written word
    expansion: str | None  # the reading shown for an expanded abbreviation
    weight: float
    choices: Expansion | None  # several readings, decided only if no phrase takes the word
    respelt: bool = False


@lru_cache(maxsize=16384)
def _respelt(word: str, th: Thesaurus) -> tuple[str, float] | None:
    """A thesaurus word that ``word`` misspells ('surnmae' -> 'surname'), if any."""
    if not word.isalpha() or stem(word) in th.known_stems:
        return None
    return closest_word(word, th.vocabulary.get(word[0], ()))


def _tokens(segments: tuple[tuple[str, ...], ...], th: Thesaurus, respell: bool) -> list[_Token]:
    tokens: list[_Token] = []
    for seg, words in enumerate(segments):
        for pos, written in enumerate(words):
            word = written.lower()
            if word in th.stopwords:
                continue
            expansion = th.abbreviations.get(word)
            respelt = _respelt(word, th) if respell and expansion is None else None
            if respelt is not None:
                right, ratio = respelt
                shown = f"{right} (spelling {ratio:.2f})"
                tokens.append(_Token(stem(right), right, written, (seg, pos), shown, TYPO_CREDIT * ratio, None, True))
            elif expansion is None:
                tokens.append(_Token(stem(word), word, written, (seg, pos), None, 1.0, None))
            elif len(expansion.readings) == 1:
                weight = th.ambiguous_weight if expansion.ambiguous else 1.0
                for part in expansion.readings[0]:
                    tokens.append(_Token(stem(part), part, written, (seg, pos), expansion.texts[0], weight, None))
            else:
                tokens.append(_Token(stem(word), word, written, (seg, pos), None, 1.0, expansion))
    return tokens


def _find_phrase(tokens: list[_Token], i: int, th: Thesaurus) -> tuple[int, Entry | None]:
    """Longest phrase starting at ``i``: (length, entry); (1, None) for an unknown word."""
    for length in range(min(th.max_phrase, len(tokens) - i), 1, -1):
        window = tokens[i : i + length]
        key = tuple(t.stem for t in window)
        entry = th.lookup(key)
        if entry is None and length == 2:
            # NAME_FIRST and /name/first mean first name; SUR_NAME means surname.
            entry = th.lookup(key[::-1]) or th.lookup((stem(window[0].word + window[1].word),))
        if entry is not None:
            return length, entry
    return 1, th.lookup((tokens[i].stem,))


def _surface(window: list[_Token], segments: tuple[tuple[str, ...], ...]) -> tuple[str, str]:
    """The written words a unit spans (stopwords between them kept) and, when an
    abbreviation was expanded or a word respelt, how it was read."""
    spoken = {token.origin: token.expansion for token in window if token.expansion}
    written_parts, spoken_parts = [], []
    for seg in sorted({token.origin[0] for token in window}):
        positions = [token.origin[1] for token in window if token.origin[0] == seg]
        span = range(min(positions), max(positions) + 1)
        written_parts.append(" ".join(segments[seg][pos] for pos in span))
        spoken_parts.append(" ".join(spoken.get((seg, pos)) or segments[seg][pos].lower() for pos in span))
    return " / ".join(written_parts), (" / ".join(spoken_parts) if spoken else "")


def _known_unit(window: list[_Token], entry: Entry, segments: tuple[tuple[str, ...], ...], th: Thesaurus) -> Unit:
    weight = min(token.weight for token in window)
    literal = " ".join(token.stem for token in window)
    concepts = {LITERAL + literal: weight}
    for concept, strength in entry.concepts.items():
        concepts[concept] = strength * SYNONYM_DISCOUNT * weight
    surface, reading = _surface(window, segments)
    role = th.kinds.get(entry.primary) if weight >= 0.9 else None
    return Unit(
        surface, reading, entry.primary, tuple(concepts.items()), entry.broader, True,
        th.importance_of(literal, entry.primary), role,
        tuple(token.word for token in window), max(token.origin[0] for token in window),
        any(token.respelt for token in window),
    )


def _literal_unit(token: _Token, segments: tuple[tuple[str, ...], ...], th: Thesaurus) -> Unit:
    surface, reading = _surface([token], segments)
    return Unit(
        surface, reading, token.word, ((LITERAL + token.stem, token.weight),), frozenset(),
        False, th.importance_of(token.stem, None), None, (token.word,), token.origin[0], token.respelt,
    )


def _ambiguous_unit(token: _Token, th: Thesaurus) -> Unit:
    """An abbreviation with several readings: all of them, each at the ambiguous weight."""
    assert token.choices is not None
    concepts: dict[str, float] = {LITERAL + token.stem: 1.0}
    broader: set[str] = set()
    primary: str | None = None
    for reading in token.choices.readings:
        key = tuple(stem(word) for word in reading)
        entry = th.lookup(key)
        if entry is None:
            found = {LITERAL + " ".join(key): th.ambiguous_weight}
        else:
            found = {c: s * SYNONYM_DISCOUNT * th.ambiguous_weight for c, s in entry.concepts.items()}
            broader |= entry.broader
            primary = primary or entry.primary
        for concept, strength in found.items():
            concepts[concept] = max(concepts.get(concept, 0.0), strength)
    return Unit(
        token.written, " | ".join(token.choices.texts), primary or token.word, tuple(concepts.items()),
        frozenset(broader), True, th.importance_of(token.stem, primary), None, (token.word,), token.origin[0],
    )


def analyse_words(segments: tuple[tuple[str, ...], ...], th: Thesaurus, *, respell: bool = True) -> tuple[Unit, ...]:
    """Concept units of a name given as its words per pointer segment (case kept).

    ``respell`` reads misspelt unknown words as the thesaurus word they resemble; it is
    meant for names, not for prose such as descriptions.
    """
    tokens = _tokens(segments, th, respell)
    units: list[Unit] = []
    i = 0
    while i < len(tokens):
        length, entry = _find_phrase(tokens, i, th)
        window = tokens[i : i + length]
        if entry is not None:
            units.append(_known_unit(window, entry, segments, th))
        elif window[0].choices is not None:
            units.append(_ambiguous_unit(window[0], th))
        else:
            units.append(_literal_unit(window[0], segments, th))
        i += length
    return tuple(units)


def name_segments(name: str) -> tuple[tuple[str, ...], ...]:
    """Words per segment: a JSON Pointer (nested source field or target) has several."""
    if name.startswith("/"):
        return pointer_words(name)
    words = split_words(name)
    return (words,) if words else ()


@lru_cache(maxsize=16384)
def analyse_name(name: str, th: Thesaurus) -> tuple[Unit, ...]:
    """Concept units of a column name or a JSON Pointer (cached)."""
    return analyse_words(name_segments(name), th)


@lru_cache(maxsize=16384)
def analyse_text(text: str, th: Thesaurus) -> tuple[Unit, ...]:
    """Concept units of a title or description: plain words, never a pointer (cached)."""
    words = split_words(text)[:MAX_TEXT_WORDS]
    return analyse_words((words,), th, respell=False) if words else ()

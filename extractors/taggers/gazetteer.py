"""The multilingual gazetteer: names of countries (pycountry, in English and the text's
language), capitals, cities, organisations and people (data/gazetteer.toml), given names,
and the word lists the entity tagger refuses as names. Each table is built once per
process and language."""

from __future__ import annotations

import functools
import gettext
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pycountry  # its databases load lazily, on first use

from extractors.taggers.text import build_automaton, fold

_NAME_FIELDS = ("common_name", "name", "official_name")  # pycountry's, best display first
# Countries' translated names live under these pycountry locales for a detected language.
_LOCALES = {"zh": ["zh_CN", "zh_TW"], "pt": ["pt", "pt_BR"], "no": ["nb_NO"], "nb": ["nb_NO"]}


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str  # person | org | place
    value: str  # English display name
    code: str | None  # ISO 3166 alpha-2, "<CC>:<City>", or None when not normalised


def _data(name: str) -> str:
    return (resources.files("extractors.taggers") / "data" / name).read_text(encoding="utf-8")


@functools.cache
def gazetteer() -> dict[str, Any]:
    """Returns data/gazetteer.toml: places, organisations, people and word lists."""
    return tomllib.loads(_data("gazetteer.toml"))


@functools.cache
def lexicon(lang: str) -> tuple[Any, dict[str, tuple[Entity, str]]]:
    """Returns an automaton over the names known in `lang` and {folded name: (entity, form)}.

    Countries first, then the gazetteer, which wins ties."""
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
    return automaton, names


def _gazetteer_names(lang: str):
    """Yields (entity, form) for every gazetteer name usable in `lang`."""
    for kind in ("org", "place", "person"):
        for item in gazetteer().get(kind, []):
            entity = Entity(kind, item["name"], item["id"])
            for form in item.get("names", []) + item.get("lang", {}).get(lang, []):
                yield entity, form


def _country_names(lang: str):
    """Yields (entity, form) for each country's English and `lang` names and short forms."""
    display = {p["id"]: p["name"] for p in gazetteer().get("place", []) if len(p["id"]) == 2}
    skip = set(gazetteer().get("ambiguous", []))
    translate = _translation(lang)
    for country in pycountry.countries:
        english = [n for a in _NAME_FIELDS if (n := getattr(country, a, None))]
        code = country.alpha_2
        entity = Entity("place", display.get(code) or _short(english[0]), code)
        for name in {*english, *(translate(n) for n in english)}:
            for form in {name, _short(name)}:
                if len(form) >= 4 and form not in skip:
                    yield entity, form


def _short(name: str) -> str:
    """Returns a country name without its qualifier: "Moldova, Republic of" -> "Moldova"."""
    return re.split(r",| \(| - ", name, maxsplit=1)[0].strip()


def _translation(lang: str):
    locales = _LOCALES.get(lang, [lang or "en"])
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=locales).gettext
    except OSError:  # English, or a language pycountry has no translation for
        return lambda name: name


@functools.cache
def given_names() -> frozenset[str]:
    lines = _data("given_names.txt").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


@functools.cache
def word_list(key: str) -> frozenset[str]:
    return frozenset(gazetteer().get(key, []))

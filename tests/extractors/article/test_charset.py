"""Charset decisions on pages written in legacy encodings, declared, undeclared and
mis-declared: the extracted and stored text is what was written, and the stored encoding
says how it was chosen."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from extractors.article.extract import extract_article
from newsflow.charset import decode_text, oddity_share
from newsflow.models import FetchResult, PageResult
from storage.db import connect
from storage.writes import article_rows, fetch_rows, tag_rows, write_batch

NOW = datetime(2026, 11, 27, tzinfo=UTC)

# (language, encoding, the paragraph as written); each page also says lang="..".
PAGES = [
    ("fr", "cp1252", "L’été à São Paulo, après le déjà-vu : un cœur naïf, le résumé "
     "d’une crème brûlée. Où est la fenêtre ? Ça dépend de l’économie française."),
    ("pt", "cp1252", "Déjà vu na ação: a informação e a opinião do coração. São Paulo não é "
     "só café, é também pão, limão e a canção da população."),
    ("de", "cp1252", "Die Größe der Bücher überrascht. Schöne Grüße aus München, wo die "
     "Straßen mäßig befahren sind und die Bürger über Gebühren klagen."),
    ("pl", "cp1250", "Zażółć gęślą jaźń. Źródło wiadomości: rząd ogłosił, że światło będzie "
     "tańsze w przyszłym miesiącu, a ceny żywności spadną."),
    ("cs", "cp1250", "Příliš žluťoučký kůň úpěl ďábelské ódy. Vláda oznámila, že ceny "
     "energií klesnou příští měsíc a nájemné se nezmění."),
    ("ru", "cp1251", "Правительство объявило, что цены на электроэнергию снизятся в "
     "следующем месяце. Жители столицы встретили новость с осторожным оптимизмом."),
    ("ru", "koi8-r", "Правительство объявило, что цены на электроэнергию снизятся в "
     "следующем месяце. Жители столицы встретили новость с осторожным оптимизмом."),
    ("ja", "shift_jis", "政府は来月、電気料金が下がると発表しました。東京の天気は晴れで、"
     "多くの市民が公園で花見を楽しんでいます。"),
]  # fmt: skip
PAGE_IDS = [f"{lang}-{encoding}" for lang, encoding, _ in PAGES]
EXPECTED_NAME = {
    "cp1252": "windows-1252",
    "cp1250": "windows-1250",
    "cp1251": "windows-1251",
    "koi8-r": "koi8-r",
    "shift_jis": "shift_jis",
}
# How the page is labelled: not at all, or wrongly as UTF-8 (header or meta), or as
# ISO-8859-1 by an old server default.
LABELS = {
    "undeclared": ("text/html", ""),
    "header says utf-8": ("text/html; charset=UTF-8", ""),
    "meta says utf-8": ("text/html", '<meta charset="utf-8">'),
    "header says iso-8859-1": ("text/html; charset=ISO-8859-1", ""),
}


def _page(lang: str, paragraph: str, meta: str = "", with_lang: bool = True) -> str:
    lang_attr = f' lang="{lang}"' if with_lang else ""
    return (
        f"<!DOCTYPE html><html{lang_attr}><head>{meta}<title>Nouvelles</title></head><body>"
        "<nav><a href='/'>Home</a></nav><article><h1>Nouvelles</h1>"
        f"<p>{paragraph}</p><p>{paragraph}</p><p>{paragraph}</p></article>"
        "<footer>(c) 2026</footer></body></html>"
    )


def _extract(body: bytes, content_type: str):
    return extract_article(
        body, "https://news.example/a", source="s", fetched_at=NOW, content_type=content_type
    )


CASES = [
    pytest.param(lang, encoding, paragraph, label, id=f"{lang}-{encoding}-{label}")
    for lang, encoding, paragraph in PAGES
    for label in LABELS
    # windows-1252 is what ISO-8859-1 means on the web: that one is declared rightly.
    if not (label == "header says iso-8859-1" and encoding == "cp1252")
]


@pytest.mark.parametrize(("lang", "encoding", "paragraph", "label"), CASES)
def test_legacy_page_text_is_what_was_written(lang, encoding, paragraph, label):
    content_type, meta = LABELS[label]
    body = _page(lang, paragraph, meta).encode(encoding)

    article = _extract(body, content_type)

    assert paragraph in article.text
    assert article.encoding.startswith(EXPECTED_NAME[encoding] + " ("), article.encoding
    if label != "undeclared":
        assert "does not fit" in article.encoding


@pytest.mark.parametrize(("lang", "encoding", "paragraph"), PAGES, ids=PAGE_IDS)
def test_undeclared_page_without_lang_is_read_by_its_letters(lang, encoding, paragraph):
    body = _page(lang, paragraph, with_lang=False).encode(encoding)
    article = _extract(body, "text/html")
    assert paragraph in article.text
    assert article.encoding.startswith(EXPECTED_NAME[encoding] + " ("), article.encoding


def test_undeclared_latin1_page_is_windows_1252_not_a_baltic_look_alike():
    text = "Déjà vu na ção, résumé naïve"
    decoded = decode_text(text.encode("latin-1"), [])
    assert decoded.text == text
    assert decoded.label == "windows-1252 (guessed)"


UTF8_PARAGRAPH = (
    "Café crème brûlée à Zürich: la façade naïve de l’hôtel, São Paulo et Kraków, "
    "Łódź et Göteborg, ¿qué pasó? — «Ça marche», dit-il."
)


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/html"])
@pytest.mark.parametrize("stray", [b"\xff", b"\x80\x81", b"\xc3"])
def test_utf8_with_stray_bytes_stays_utf8_with_replacement_characters(content_type, stray):
    good = UTF8_PARAGRAPH.encode()
    damaged = good.replace("Zürich".encode(), stray + "Zürich".encode(), 1)
    body = _page("fr", "").encode().replace(b"<p></p>", b"<p>" + damaged + b"</p>", 1)

    article = _extract(body, content_type)

    assert UTF8_PARAGRAPH.replace("Zürich", "\ufffd" * len(stray) + "Zürich") in article.text
    how = "declared" if "charset" in content_type else "detected"
    plural = "s" if len(stray) > 1 else ""
    assert article.encoding == f"utf-8 ({how}, {len(stray)} bad byte{plural} replaced)"


def test_three_stray_sequences_in_a_long_utf8_page_are_the_only_damage():
    paragraphs = [f"{n}. {UTF8_PARAGRAPH}" for n in range(6)]  # trafilatura drops repeats
    body = (
        _page("fr", "")
        .encode()
        .replace(b"<p></p>", b"".join(b"<p>" + p.encode() + b"</p>" for p in paragraphs), 1)
    )
    damaged = body.replace("à".encode(), b"\xe0", 3)  # three windows-1252 "à" pasted in

    article = _extract(damaged, "text/html; charset=utf-8")

    assert article.text.count("\ufffd") == 3
    assert article.text.count("Łódź") == 6 and article.text.count("brûlée") == 6
    assert article.encoding == "utf-8 (declared, 3 bad bytes replaced)"


def test_a_right_decoding_has_no_oddities_and_a_wrong_one_has_many():
    for _, encoding, paragraph in PAGES:
        raw = paragraph.encode(encoding)
        assert oddity_share(paragraph) == 0
        if encoding in ("cp1251", "koi8-r", "shift_jis"):  # Latin ones need the language
            assert oddity_share(raw.decode("cp1252", errors="replace")) > 0.3, encoding
    koi8 = PAGES[6][2].encode("koi8-r")
    assert oddity_share(koi8.decode("cp1251")) > 0.3  # case flips mid-word: "рТЙЧЕФ"


def test_stored_text_and_encoding_are_what_was_written(tmp_path):
    lang, encoding, paragraph = PAGES[5]  # Russian, windows-1251, served as UTF-8
    body = _page(lang, paragraph).encode(encoding)
    article = _extract(body, "text/html; charset=utf-8")
    fetch = FetchResult(url=article.url, source="s", kind="page", outcome="ok", fetched_at=NOW)
    result = PageResult(url=article.url, source="s", article=article)
    db = tmp_path / "news.duckdb"
    with connect(db) as con:
        write_batch(con, "run", fetch_rows("run", [fetch]), article_rows([result]),
                    tag_rows([result], NOW))  # fmt: skip

    with duckdb.connect(str(db), read_only=True) as con:
        text = con.execute("SELECT text FROM articles").fetchone()[0]
        stored = con.execute("SELECT encoding FROM raw_pages").fetchone()[0]
    assert paragraph in text
    assert stored == "windows-1251 (guessed from lang=ru, declared utf-8 does not fit)"

"""Search terms: the same words give the same terms in an article and in a query."""

from __future__ import annotations

from extractors.search.search_terms import Analyzer, document_terms, fold, query_words
from extractors.search.snippets import snippet


def test_words_are_unicode_letters_and_digits_folded_and_stemmed():
    assert Analyzer("de").terms("Häuser, BRÜCKEN & Straßen (2024)!") == [
        "haus", "bruck", "strass", "2024",
    ]  # fmt: skip
    assert Analyzer("id").terms("Jens Stoltenberg di Brussel") == [
        "jens", "stoltenberg", "di", "brussel",
    ]  # fmt: skip


def test_inflected_forms_share_a_stem():
    german = Analyzer("de")
    assert german.terms("Hochwassers") == german.terms("Hochwasser")
    polish = Analyzer("pl")
    assert polish.terms("powodzi") == polish.terms("powodzią")


def test_folding_removes_case_accents_and_arabic_vowel_signs():
    assert fold("Élysée") == "elysee"
    assert fold("ÇA") == "ca"
    assert fold("المِيَاهُ") == "المياه"
    assert Analyzer("ar").terms("القاهرةُ") == Analyzer("ar").terms("القاهرة")


def test_marks_do_not_split_words():
    # A decomposed accent (e + U+0301) and an Arabic vowel sign stay inside their word.
    assert Analyzer(None).terms("cafe\u0301 noir") == ["cafe", "noir"]
    assert len(Analyzer("ar").terms("المِيَاهُ العذبة")) == 2


def test_cjk_runs_become_overlapping_bigrams():
    assert Analyzer("zh").terms("上海电影节") == ["上海", "海电", "电影", "影节"]
    assert Analyzer("ja").terms("東京") == ["東京"]
    assert Analyzer("zh").terms("买iPhone手机") == ["买", "iphone", "手机"]


def test_unknown_or_missing_language_folds_without_stemming():
    assert document_terms("Kucing-kucing BERMAIN", "xx") == "kucing kucing bermain"
    assert document_terms("Kucing-kucing BERMAIN", None) == "kucing kucing bermain"


def test_query_words_carry_every_candidate_languages_stem():
    [word] = query_words("Hochwassers", ["de", "id"])
    assert word.word == "Hochwassers"
    assert "hochwass" in word.variants and "hochwassers" in word.variants
    assert [w.variants for w in query_words("电影节", ["zh"])] == [("电影",), ("影节",)]
    assert query_words(" -- ", ["en"]) == []


def test_snippet_marks_the_matched_words_in_the_best_passage():
    text = ("Filler sentence about nothing in particular. " * 12
            + "The flood (Hochwasser) hit the valley; Hochwassers damage is high.")  # fmt: skip
    terms = set(Analyzer("de").terms("Hochwasser"))
    found = snippet(text, "de", terms, width=120)
    assert found.text.startswith("…")
    assert found.marked("[", "]").count("[Hochwasser") == 2
    assert "[Hochwassers]" in found.marked("[", "]")


def test_snippet_marks_cjk_words_inside_a_run():
    text = "第二十五届上海国际电影节昨天在上海大剧院开幕"
    terms = {"电影", "影节"}
    assert snippet(text, "zh", terms).marked() == "第二十五届上海国际**电影节**昨天在上海大剧院开幕"


def test_snippet_without_a_match_is_the_beginning():
    found = snippet("A short text.", "en", {"zzz"})
    assert (found.text, found.marks) == ("A short text.", ())

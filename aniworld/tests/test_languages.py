"""Every fact about a language has one home, ``aniworld.languages.Language``."""

import json

import pytest

from aniworld.languages import Language, label_of


def test_the_codes_site_keys_bits_and_labels_are_the_documented_ones():
    assert [
        (language.value, language.site_key, language.bit, language.label, language.file_label)
        for language in Language
    ] == [
        ("german-dub", 1, 1, "German dub", "German Dub"),
        ("german-sub", 3, 4, "German subtitles", "German Sub"),
        ("english-sub", 2, 2, "English subtitles", "English Sub"),
        ("english-dub", 4, 8, "English dub", "English Dub"),
    ]


def test_each_language_has_a_site_key_and_a_bit_of_its_own():
    assert sorted(language.site_key for language in Language) == [1, 2, 3, 4]
    assert sum(language.bit for language in Language) == 0b1111


def test_the_site_keys_read_as_the_sites_write_them():
    assert Language.by_site_key() == {
        "1": Language.GERMAN_DUB,
        "2": Language.ENGLISH_SUB,
        "3": Language.GERMAN_SUB,
        "4": Language.ENGLISH_DUB,
    }


@pytest.mark.parametrize("code", ["", None, "klingon-dub", "German-Dub", 1])
def test_a_code_of_no_language_finds_none(code):
    assert Language.find(code) is None


def test_a_language_is_found_by_its_tongue_and_kind():
    assert Language.of("german", "sub") is Language.GERMAN_SUB
    assert Language.of("english", "dub") is Language.ENGLISH_DUB
    assert Language.of("japanese", "dub") is None


def test_a_language_is_stored_and_sent_as_its_code():
    assert json.dumps({"language": Language.GERMAN_SUB}) == '{"language": "german-sub"}'
    assert f"{Language.ENGLISH_DUB}" == "english-dub"
    assert Language.GERMAN_DUB == "german-dub"


def test_the_label_of_an_unknown_code_is_the_code_itself():
    assert label_of("german-dub") == "German dub"
    assert label_of("pasted") == "pasted"
    assert label_of("") == ""

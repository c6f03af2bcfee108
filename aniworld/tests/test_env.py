import pytest
from django.core.exceptions import ImproperlyConfigured

from aniworld.env import env_bool, env_choice, env_int, env_list, env_str


def test_a_missing_or_blank_variable_gives_the_default():
    assert env_str("X", "d", {}) == "d"
    assert env_str("X", "d", {"X": "  "}) == "d"
    assert env_bool("X", True, {}) is True


@pytest.mark.parametrize("word", ["1", "true", "True", "YES", "on"])
def test_true_words_read_as_true(word):
    assert env_bool("DEBUG", False, {"DEBUG": word}) is True


@pytest.mark.parametrize("word", ["0", "false", "No", "off"])
def test_false_words_read_as_false(word):
    assert env_bool("DEBUG", True, {"DEBUG": word}) is False


def test_a_boolean_that_is_neither_true_nor_false_is_an_error_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", False, {"DEBUG": "maybe"})


def test_integers_are_parsed_and_range_checked():
    assert env_int("PORT", 8000, {"PORT": "9000"}, minimum=1, maximum=65535) == 9000
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("PORT", 8000, {"PORT": "eighty"})
    with pytest.raises(ImproperlyConfigured, match="outside"):
        env_int("PORT", 8000, {"PORT": "70000"}, minimum=1, maximum=65535)


def test_lists_are_comma_separated_and_trimmed():
    assert env_list("CORS", [], {"CORS": " http://a , http://b,"}) == ["http://a", "http://b"]


def test_choices_are_case_insensitive_and_strict():
    assert env_choice("LOG_LEVEL", "INFO", ("INFO", "DEBUG"), {"LOG_LEVEL": "debug"}) == "DEBUG"
    with pytest.raises(ImproperlyConfigured, match="must be one of"):
        env_choice("LOG_LEVEL", "INFO", ("INFO", "DEBUG"), {"LOG_LEVEL": "loud"})

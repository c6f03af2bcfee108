"""The series the fake index sites serve: aniworld.to's and s.to's catalogues.

Titles with characters that need escaping, announced episodes without hosters,
films (season 0), titles that only alternative titles match, and one series both
sites list under keys of their own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FakeEpisode:
    number: int
    title_de: str = ""
    title_en: str = ""
    languages: tuple[str, ...] = ("german-dub", "german-sub", "english-sub")
    # Spelled as the site shows them; empty: the episode is only announced.
    hosters: tuple[str, ...] = ("VOE", "Vidoza")


@dataclass(frozen=True)
class FakeSeries:
    key: str
    name: str
    years: tuple[int, int | None]
    description: str
    seasons: dict[int, tuple[FakeEpisode, ...]]  # 0: the films
    genres: tuple[str, ...] = ()
    fsk: int | None = None
    imdb_id: str | None = None
    alternative_titles: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()


def ep(number: int, de: str, en: str, languages: str = "", hosters: str = "VOE Vidoza"):
    """A catalogue episode; languages and hosters as space-separated words."""
    return FakeEpisode(
        number, de, en, tuple(languages.split()) or FakeEpisode.languages, tuple(hosters.split())
    )


# fmt: off
ANIWORLD_CATALOGUE = (
    FakeSeries(
        "attack-on-titan", "Attack on Titan", (2013, 2023),
        "Die Menschheit lebt hinter Mauern & fürchtet die Titanen. Eren schwört Rache.",
        {
            1: (ep(1, "Dir, in 2000 Jahren", "To You, in 2000 Years", hosters="VOE Vidoza DoodStream"),
                ep(2, "An jenem Tag", "That Day"),
                ep(3, "Ein Licht in der Verzweiflung", "", hosters="")),
            2: (ep(1, "", "Beast Titan", "german-sub english-sub", "Vidmoly"),),
            0: (ep(1, "Teil 1: Pfeil und Bogen", "Part 1: Crimson Bow and Arrow", "german-dub"),),
        },
        genres=("Action", "Drama", "Fantasy"), fsk=16, imdb_id="tt2560140",
        alternative_titles=("Shingeki no Kyojin", "進撃の巨人"),
        directors=("Tetsurō Araki",), actors=("Yūki Kaji", "Yui Ishikawa"),
    ),
    FakeSeries(
        "hells-paradise", "Hell's Paradise", (2023, None),
        "Gabimaru & Sagiri suchen das Elixier - auf einer Insel voller Übel.",
        {1: (ep(1, "Tödliche Insel", "The Death Row Convict and the Executioner"),
             ep(2, "Schein & Sein", "Screening and Choosing"))},
        genres=("Action", "Übernatürlich"), fsk=18, imdb_id="tt13911628",
    ),
    FakeSeries(
        "the-ogres-bride", "The Ogre's Bride", (2026, None), "Eine Braut für den Oger.",
        {1: (ep(10, "Die Hochzeit", "The Wedding", "german-sub english-sub"),
             ep(11, "Episode 11", "Episode 11", "german-sub", hosters=""))},
    ),
    # For the library import: a title no folder name spells literally, alternative
    # titles, IMDb ids, and a "Dark" that is not s.to's Dark.
    FakeSeries(
        "rezero-starting-life-in-another-world", 'Re:Zero / Kara? Leben in einer "anderen" Welt',
        (2016, None), "Subaru wird in eine andere Welt versetzt.",
        {1: (ep(1, "Das Ende des Anfangs", "The End of the Beginning"),
             ep(2, "Wiedersehen mit der Hexe", "Reunion with the Witch"))},
        imdb_id="tt5607616",
        alternative_titles=("Re:Zero kara Hajimeru Isekai Seikatsu",
                            "Re:Zero - Starting Life in Another World"),
    ),
    FakeSeries(
        "demon-slayer-kimetsu-no-yaiba", "Demon Slayer: Kimetsu no Yaiba", (2019, None),
        "Tanjiro wird Dämonenjäger.",
        {1: (ep(1, "Grausamkeit", "Cruelty"),)},
        imdb_id="tt9335498", alternative_titles=("Kimetsu no Yaiba", "鬼滅の刃"),
    ),
    FakeSeries(
        "dark-gathering", "Dark Gathering", (2023, None), "Geister in Tokio.",
        {1: (ep(1, "Erstkontakt", "First Contact"),)},
        imdb_id="tt21113540",
    ),
)

STO_CATALOGUE = (
    FakeSeries(
        "dark", "Dark", (2017, 2020), "Ein Kind verschwindet in Winden - die Suche führt in die Zeit.",
        {
            1: (ep(1, "Geheimnisse", "Secrets", "german-dub english-dub"),
                ep(2, "Lügen", "Lies", "german-dub english-dub", "VOE Doodstream")),
            2: (ep(1, "Anfänge und Enden", "Beginnings and Endings", "german-dub", ""),),
        },
        genres=("Drama", "Mystery"), fsk=16, imdb_id="tt5753856",
        directors=("Baran bo Odar",), actors=("Louis Hofmann", "Lisa Vicari"),
    ),
    FakeSeries(
        "stromberg", "Stromberg", (2004, 2012), "Bernd Stromberg leitet die Schadensregulierung M-Z.",
        {0: (ep(1, "Stromberg - Der Film", "", "german-dub", "VOE"),),
         1: (ep(1, "Der Parkplatz", "", "german-dub german-sub", "VOE"),)},
        genres=("Komödie",), fsk=12, imdb_id="tt0436992",
    ),
    FakeSeries(
        "tom-and-jerry", "Tom & Jerry's Abenteuer", (1965, None), "Katz & Maus.",
        {1: (ep(1, "Der Käse", "The Cheese", "german-dub", "VOE Filemoon"),)},
    ),
    # An anime that s.to lists too, under a key of its own: the same IMDb id as aniworld.to's.
    FakeSeries(
        "hells-paradise-jigokuraku", "Hell's Paradise", (2023, None), "Gabimaru auf der Insel.",
        {1: (ep(1, "Tödliche Insel", "", "german-dub", "VOE"),)},
        imdb_id="tt13911628",
    ),
)
# fmt: on

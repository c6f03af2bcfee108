from datetime import datetime

import pytest
from lxml import etree

from nfo.tvshow import (
    NICE_TO_HAVE_TAGS,
    REQUIRED_TAGS,
    Actor,
    NamedSeason,
    NfoParseError,
    Rating,
    Thumb,
    TvShowNfo,
    UniqueId,
)
from nfo.tvshow_mapping import from_tmdb
from nfo.tvshow_xml import missing_tags, parse_nfo, to_xml, write_nfo

IMAGES = "https://img.example/t/p"
ADDED = datetime(2024, 5, 1, 18, 30, 5)

KODI_STYLE_NFO = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<!-- created on 2021-03-04 - tinyMediaManager 3.1.12 -->
<tvshow>
    <title>Attack on Titan</title>
    <originaltitle>Shingeki no Kyojin</originaltitle>
    <rating>8,5</rating>
    <votes>1,234</votes>
    <year>2013</year>
    <plot>Humanity fights giants.</plot>
    <runtime>24 min</runtime>
    <mpaa>FSK 16</mpaa>
    <uniqueid type="tvdb">267440</uniqueid>
    <uniqueid type="imdb">tt2560140</uniqueid>
    <episodeguide>
        <url cache="267440.xml">https://api.thetvdb.com/series/267440/all/de.zip</url>
    </episodeguide>
    <genre>Animation</genre>
    <studio>MBS</studio>
    <actor>
        <name>Yuki Kaji</name>
        <role>Eren</role>
    </actor>
    <actor><role>nameless</role></actor>
    <thumb>https://img.example/poster.jpg</thumb>
    <thumb aspect="banner" preview="https://img.example/b-small.jpg">https://img.example/b.jpg</thumb>
    <fanart url="https://img.example/t/p/">
        <thumb preview="w780/fan.jpg">original/fan.jpg</thumb>
    </fanart>
    <namedseason number="x">broken</namedseason>
    <lockdata>false</lockdata>
</tvshow>
https://www.themoviedb.org/tv/1429
"""

JELLYFIN_STYLE_NFO = b"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<tvshow>
  <title>Frieren</title>
  <tmdbid>209867</tmdbid>
  <imdb_id>tt22248376</imdb_id>
  <status>Continuing</status>
  <art>
    <poster>/media/anime/Frieren (2023)/poster.jpg</poster>
    <fanart>/media/anime/Frieren (2023)/fanart.jpg</fanart>
  </art>
</tvshow>
"""


@pytest.fixture(scope="module")
def titan_nfo(titan) -> TvShowNfo:
    return from_tmdb(titan, IMAGES, added=ADDED)


def a_show_with_odd_text() -> TvShowNfo:
    return TvShowNfo(
        title='Titan & <Riesen> "Mauern"',
        originaltitle="進撃の巨人",
        sorttitle="Titan & Riesen",
        year=2013,
        plot="Zeile eins mit ' und &amp;\nZeile zwei: 葬送のフリーレン ✓",
        ratings=[Rating("", 7.0), Rating("imdb", 9.125, 12, 10, True)],
        uniqueids=[UniqueId("tmdb", "1", True), UniqueId("anidb", "9541")],
        actors=[Actor("Кира"), Actor("Jäger", "Eren <Held>", 0, "https://x/a?b=1&c=2")],
        thumbs=[Thumb("https://x/p.jpg"), Thumb("https://x/s.jpg", "poster", 1)],
        fanart=["https://x/f1.jpg", "https://x/f2.jpg"],
        namedseasons=[NamedSeason(0, "Specials & Extras")],
    )


class TestRoundTrip:
    def test_our_own_file_reads_back_as_the_same_model(self, titan_nfo, frieren):
        assert parse_nfo(to_xml(titan_nfo)) == titan_nfo
        frieren_nfo = from_tmdb(frieren, IMAGES, added=ADDED)
        assert parse_nfo(to_xml(frieren_nfo)) == frieren_nfo

    def test_odd_characters_and_non_latin_text_survive(self):
        nfo = a_show_with_odd_text()

        assert parse_nfo(to_xml(nfo)) == nfo

    def test_an_empty_model_survives(self):
        assert parse_nfo(to_xml(TvShowNfo())) == TvShowNfo()


class TestWriting:
    def test_it_writes_utf8_with_a_declaration(self, titan_nfo):
        xml = to_xml(titan_nfo)

        assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<tvshow>")
        assert "<originaltitle>進撃の巨人</originaltitle>".encode() in xml

    def test_special_characters_are_escaped(self):
        xml = to_xml(a_show_with_odd_text())

        assert b'<title>Titan &amp; &lt;Riesen&gt; "Mauern"</title>' in xml
        assert b"&amp;amp;" in xml
        etree.fromstring(xml)  # well-formed

    def test_it_is_indented_for_people_who_open_it(self, titan_nfo):
        assert b"\n  <title>" in to_xml(titan_nfo)

    def test_ratings_uniqueids_and_thumbs_carry_kodis_attributes(self, titan_nfo):
        root = etree.fromstring(to_xml(titan_nfo))

        rating = root.find("ratings/rating")
        assert (rating.get("name"), rating.get("max"), rating.get("default")) == (
            "tmdb",
            "10",
            "true",
        )
        assert (rating.findtext("value"), rating.findtext("votes")) == ("8.664", "7421")
        tmdb_id = root.find("uniqueid")
        assert (tmdb_id.get("type"), tmdb_id.get("default"), tmdb_id.text) == (
            "tmdb",
            "true",
            "1429",
        )
        assert root.find("uniqueid[@type='imdb']").get("default") is None
        assert [t.get("aspect") for t in root.findall("thumb")][:3] == [
            "poster",
            "clearlogo",
            "landscape",
        ]
        season = root.find("thumb[@season='1']")
        assert (season.get("type"), season.get("aspect")) == ("season", "poster")
        assert root.find("namedseason[@number='4']").text == "Finale Staffel"
        assert root.findtext("fanart/thumb").endswith("aot-backdrop-plain-2.jpg")
        assert root.findtext("episodeguide") == (
            '{"tmdb":"1429","imdb":"tt2560140","tvdb":"267440"}'
        )

    def test_every_field_of_the_titan_file_is_a_tag(self, titan_nfo):
        root = etree.fromstring(to_xml(titan_nfo))

        tags = {element.tag for element in root}
        assert tags >= {
            "title", "originaltitle", "sorttitle", "year", "premiered", "status", "enddate",
            "plot", "outline", "tagline", "runtime", "mpaa", "ratings", "uniqueid",
            "episodeguide", "genre", "tag", "studio", "country", "credits", "actor", "thumb",
            "fanart", "namedseason", "dateadded",
        }  # fmt: skip
        actor = root.find("actor")
        assert [child.tag for child in actor] == ["name", "role", "order", "thumb"]

    def test_empty_fields_are_left_out(self):
        root = etree.fromstring(to_xml(TvShowNfo(title="Nur ein Titel")))

        assert [element.tag for element in root] == ["title"]

    def test_write_nfo_replaces_the_file_atomically(self, titan_nfo, tmp_path):
        (tmp_path / "tvshow.nfo").write_text("old")

        path = write_nfo(tmp_path, titan_nfo)

        assert path == tmp_path / "tvshow.nfo"
        assert parse_nfo(path.read_bytes()) == titan_nfo
        assert [p.name for p in tmp_path.iterdir()] == ["tvshow.nfo"]


class TestReadingOtherTools:
    def test_it_reads_a_kodi_style_file(self):
        nfo = parse_nfo(KODI_STYLE_NFO)

        assert nfo.title == "Attack on Titan"
        assert nfo.ratings == [Rating("", 8.5, 1234, 10, True)]
        assert nfo.runtime == 24
        assert nfo.uniqueids == [UniqueId("tvdb", "267440"), UniqueId("imdb", "tt2560140")]
        assert nfo.episodeguide == "https://api.thetvdb.com/series/267440/all/de.zip"
        assert nfo.actors == [Actor("Yuki Kaji", "Eren")]
        assert nfo.thumbs == [
            Thumb("https://img.example/poster.jpg"),
            Thumb("https://img.example/b.jpg", "banner"),
        ]
        assert nfo.fanart == ["https://img.example/t/p/original/fan.jpg"]
        assert nfo.namedseasons == []
        assert nfo.tags == []

    def test_it_reads_a_jellyfin_style_file(self):
        nfo = parse_nfo(JELLYFIN_STYLE_NFO)

        assert nfo.uniqueids == [UniqueId("tmdb", "209867"), UniqueId("imdb", "tt22248376")]
        assert nfo.thumbs == [Thumb("/media/anime/Frieren (2023)/poster.jpg", "poster")]
        assert nfo.fanart == ["/media/anime/Frieren (2023)/fanart.jpg"]

    def test_external_entities_are_not_resolved(self, tmp_path):
        secret = tmp_path / "secret.txt"
        secret.write_text("geheim")
        xml = (
            f'<?xml version="1.0"?><!DOCTYPE tvshow [<!ENTITY x SYSTEM "file://{secret}">]>'
            "<tvshow><title>&x;</title></tvshow>"
        ).encode()

        assert "geheim" not in parse_nfo(xml).title


class TestBrokenFiles:
    @pytest.mark.parametrize(
        "data",
        [
            b"",
            b"   \n",
            b"https://www.themoviedb.org/tv/1429",
            b"<?xml version='1.0'?><tvshow><title>Angriff",
            b"<tvshow><title>A</titel></tvshow>",
            b"\x00\x01\x02garbage",
        ],
        ids=["empty", "blank", "only-a-url", "truncated", "mismatched-tags", "binary"],
    )
    def test_unreadable_files_raise_a_parse_error(self, data):
        with pytest.raises(NfoParseError):
            parse_nfo(data)

    def test_a_file_truncated_anywhere_is_detected(self, titan_nfo):
        xml = to_xml(titan_nfo)

        for cut in range(50, len(xml) - 10, 97):
            with pytest.raises(NfoParseError):
                parse_nfo(xml[:cut])

    def test_an_nfo_of_another_kind_is_refused(self):
        with pytest.raises(NfoParseError, match="<movie>"):
            parse_nfo(b"<movie><title>Kein Anime</title></movie>")


class TestMissingTags:
    def test_a_complete_file_misses_nothing(self, titan_nfo):
        assert missing_tags(titan_nfo) == []
        assert missing_tags(to_xml(titan_nfo)) == []

    def test_a_show_without_rating_and_images_misses_exactly_those(self, frieren):
        assert missing_tags(from_tmdb(frieren, IMAGES)) == ["mpaa", "thumb:poster", "fanart"]

    def test_an_empty_file_misses_every_required_tag_but_the_end_date(self):
        assert missing_tags(TvShowNfo()) == [tag for tag in REQUIRED_TAGS if tag != "enddate"]

    def test_the_end_date_is_required_only_when_the_show_has_ended(self, titan_nfo):
        nfo = parse_nfo(to_xml(titan_nfo))
        nfo.enddate = ""
        assert missing_tags(nfo) == ["enddate"]

        nfo.status = "Continuing"
        assert missing_tags(nfo) == []

    def test_a_status_jellyfin_cannot_read_counts_as_missing(self, titan_nfo):
        nfo = parse_nfo(to_xml(titan_nfo))
        nfo.status = "Returning Series"

        assert missing_tags(nfo) == ["status"]

    def test_a_premiere_date_in_another_format_counts_as_missing(self, titan_nfo):
        nfo = parse_nfo(to_xml(titan_nfo))
        nfo.premiered = "07.04.2013"

        assert missing_tags(nfo) == ["premiered"]

    def test_nice_to_have_tags_are_not_reported(self, titan_nfo):
        nfo = parse_nfo(to_xml(titan_nfo))
        nfo.tagline, nfo.tags, nfo.countries, nfo.credits, nfo.namedseasons = "", [], [], [], []
        nfo.uniqueids = nfo.uniqueids[:1]
        nfo.thumbs = nfo.thumbs[:1]

        assert missing_tags(nfo) == []
        assert "tagline" in NICE_TO_HAVE_TAGS

    def test_a_thumb_without_aspect_counts_as_the_poster(self):
        assert "thumb:poster" not in missing_tags(TvShowNfo(thumbs=[Thumb("p.jpg")]))
        assert "thumb:poster" in missing_tags(TvShowNfo(thumbs=[Thumb("s.jpg", "poster", 1)]))

    def test_a_third_party_file_reports_what_it_lacks(self):
        assert missing_tags(KODI_STYLE_NFO) == [
            "sorttitle",
            "premiered",
            "status",
            "outline",
            "uniqueid:tmdb",
            "dateadded",
        ]

    def test_unreadable_bytes_raise_instead_of_guessing(self):
        with pytest.raises(NfoParseError):
            missing_tags(b"<tvshow><title>")

from dataclasses import replace

import pytest

from aniworld.images import NotAnImage, check_image
from nfo.artwork import FANART_LANGUAGES, artwork_paths, download_artwork, rank_images
from nfo.tmdb_types import TmdbImage, TvImages
from tests.fakes.image_files import solid_jpeg, solid_png

TITAN_FILES = [
    "poster.jpg",
    "fanart.jpg",
    "clearlogo.png",
    "season-specials-poster.jpg",
    "season01-poster.jpg",
    "season04-poster.jpg",
]


def image(path: str, language: str | None, vote: float = 5.0) -> TmdbImage:
    return TmdbImage(path, language, vote, 1, 20, 30)


class TestChoice:
    def test_german_beats_textless_beats_english_beats_the_rest(self):
        images = [image("/ja", "ja", 9), image("/en", "en", 8), image("/none", None, 1)]
        images.append(image("/de", "de", 0))

        assert [i.file_path for i in rank_images(images)] == ["/de", "/none", "/en", "/ja"]

    def test_within_a_language_the_better_voted_image_wins(self):
        images = [image("/de-low", "de", 5.1), image("/de-high", "de", 5.6)]

        assert rank_images(images)[0].file_path == "/de-high"

    def test_fanart_prefers_textless_images(self):
        images = [image("/de", "de", 9), image("/none", None, 1)]

        assert rank_images(images, FANART_LANGUAGES)[0].file_path == "/none"

    def test_files_are_named_the_way_kodi_and_jellyfin_look_for_them(self, titan):
        paths = artwork_paths(titan)

        assert list(paths) == TITAN_FILES
        assert paths["poster.jpg"] == "/aot-poster-de.jpg"
        assert paths["fanart.jpg"] == "/aot-backdrop-plain-2.jpg"
        assert paths["clearlogo.png"] == "/aot-logo-en.png"  # the SVG, asked for as PNG


class TestImageCheck:
    def test_real_jpeg_png_and_webp_pass(self):
        assert check_image(solid_jpeg(), "image/jpeg") == "jpeg"
        assert check_image(solid_png(), "image/png; charset=binary") == "png"
        assert check_image(b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp") == "webp"
        assert check_image(solid_jpeg(), "application/octet-stream") == "jpeg"

    @pytest.mark.parametrize(
        ("content", "content_type", "reason"),
        [
            (b"<html><body>Error</body></html>", "text/html", "text/html instead"),
            (b"<html><body>Error</body></html>", "image/jpeg", "not a JPEG, PNG or WebP"),
            (b"", "image/jpeg", "not a JPEG, PNG or WebP"),
            (b"<svg/>", "image/svg+xml", r"image/svg\+xml instead"),
        ],
    )
    def test_anything_else_is_refused_with_a_reason(self, content, content_type, reason):
        with pytest.raises(NotAnImage, match=reason):
            check_image(content, content_type)

    def test_a_cut_off_image_is_refused(self):
        with pytest.raises(NotAnImage, match="cut off"):
            check_image(solid_jpeg()[:-40], "image/jpeg")
        with pytest.raises(NotAnImage, match="cut off"):
            check_image(solid_png()[:-20], "image/png")


class TestDownload:
    def test_it_writes_every_image_of_a_series(self, titan, fake_tmdb, tmp_path):
        report = download_artwork(titan, tmp_path)

        assert report.written == TITAN_FILES
        assert report.ok
        assert (tmp_path / "poster.jpg").read_bytes() == solid_jpeg()
        assert (tmp_path / "clearlogo.png").read_bytes() == solid_png()
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TITAN_FILES)  # no temp files

    def test_it_downloads_from_the_image_host_in_original_size(self, titan, fake_tmdb, tmp_path):
        download_artwork(titan, tmp_path)

        paths = [request.path for request in fake_tmdb.image_requests()]
        assert "/t/p/original/aot-poster-de.jpg" in paths
        assert "/t/p/original/aot-logo-en.png" in paths
        assert fake_tmdb.api_requests() == []

    def test_existing_images_are_kept(self, titan, fake_tmdb, tmp_path):
        download_artwork(titan, tmp_path)
        fake_tmdb.server.requests.clear()

        report = download_artwork(titan, tmp_path)

        assert report.kept == TITAN_FILES
        assert report.written == []
        assert fake_tmdb.image_requests() == []

    def test_force_downloads_them_again(self, titan, fake_tmdb, tmp_path):
        (tmp_path / "poster.jpg").write_bytes(solid_png())

        report = download_artwork(titan, tmp_path, force=True)

        assert report.written == TITAN_FILES
        assert (tmp_path / "poster.jpg").read_bytes() == solid_jpeg()

    def test_a_broken_file_on_disk_is_replaced(self, titan, fake_tmdb, tmp_path):
        (tmp_path / "poster.jpg").write_bytes(b"<html>oops</html>")
        (tmp_path / "fanart.jpg").write_bytes(solid_jpeg()[:100])

        report = download_artwork(titan, tmp_path)

        assert {"poster.jpg", "fanart.jpg"} <= set(report.written)
        assert (tmp_path / "poster.jpg").read_bytes() == solid_jpeg()

    def test_an_html_page_instead_of_an_image_is_not_saved(self, titan, fake_tmdb, tmp_path):
        fake_tmdb.serve_html_for("aot-poster-de.jpg")

        report = download_artwork(titan, tmp_path)

        assert report.failed == {"poster.jpg": "the server sent text/html instead of an image"}
        assert not (tmp_path / "poster.jpg").exists()
        assert "fanart.jpg" in report.written

    def test_an_image_the_host_does_not_have_fails_alone(self, titan, fake_tmdb, tmp_path):
        details = replace(titan, seasons=(replace(titan.seasons[1], poster_path="/gone.jpg"),))

        report = download_artwork(details, tmp_path)

        assert "HTTP 404" in report.failed["season01-poster.jpg"]
        assert not report.ok
        assert report.written == ["poster.jpg", "fanart.jpg", "clearlogo.png"]

    def test_a_series_without_images_reports_them_unavailable(self, frieren, fake_tmdb, tmp_path):
        report = download_artwork(frieren, tmp_path)

        assert report.unavailable == ["poster.jpg", "fanart.jpg", "clearlogo.png"]
        assert report.written == []
        assert report.ok
        assert list(tmp_path.iterdir()) == []

    def test_tmdbs_own_poster_is_used_when_the_image_list_is_empty(
        self, titan, fake_tmdb, tmp_path
    ):
        report = download_artwork(replace(titan, images=TvImages(), seasons=()), tmp_path)

        assert report.written == ["poster.jpg", "fanart.jpg"]
        assert report.unavailable == ["clearlogo.png"]

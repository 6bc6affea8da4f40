"""Exports and playback frames in Ukrainian (issue 14): captions, ticks, data notes, file names, films.

Each check reads what the reader would see (the figure's layout texts, the caption lines, the
words drawn on a frame, the provenance file) and looks for English text the export used to
print; words that stay as they are (source names, column names) are not in the list. The one
Chromium render of a Ukrainian chart is in tests/test_exports.py (it reuses that module's engine).
"""

from __future__ import annotations

import datetime as dt
import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import exports
from geo.animation import make_animation
from geo.filters import Filters
from geo.i18n import translator
from geo.viz import charts
from tests.synthetic_data import build_incidents, make_incidents, two_source_frontlines
from tests.test_i18n_viz import _english_words, _layout_texts

#: English words and phrases the exports printed before they were translated.
ENGLISH = (
    "Filters", "Data as of", "data version", "exported", "Sources", "Licences", "Chart:", "Made with", "Note:",
    "accessed", "imported", "not recorded", "none (all incidents)", "Incidents", "Front line", "No front line",
    "Seam", "hollow", "occupied area", "line of contact", "fainter dots", "Sources and licences", "match the filters",
    "one frame every", "in the last", "whole film", "Civilian harm", "Kyiv", "Kharkiv", "Residential", "Education",
    "Other or unknown", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)
MANIFEST = {
    "sources": [
        {"key": "curated", "name": "curated", "licence": "CC BY 4.0", "attribution": "conflictmap contributors",
         "accessed": "2026-11-01", "redistribution": True},
        {"key": "acled", "name": "ACLED", "licence": "ACLED Terms of Use", "attribution": "ACLED",
         "url": "https://acleddata.com/", "redistribution": False},
    ],
    "built_at": "2026-12-01T00:00:00+00:00",
}


def english_left(texts) -> list[str]:
    """Every English phrase of :data:`ENGLISH` found (as whole words) in ``texts``."""
    text = " ".join(texts)
    return [phrase for phrase in ENGLISH if re.search(rf"(?<![A-Za-z]){re.escape(phrase)}(?![A-Za-z])", text)]


@pytest.fixture
def frame():
    return make_incidents([
        {"date": "2024-01-03", "front_distance_km": 12.0, "killed": 2, "target_types": ["residential"]},
        {"date": "2024-02-10", "front_distance_km": 150.0, "admin1_iso": "UA-46", "weapons": ["cruise_missile"]},
        {"date": "2024-04-11", "front_distance_km": -3.0, "source": "acled", "admin1_iso": "UA-63", "injured": 4},
    ])


@pytest.fixture
def uk_context(frame):
    filters = Filters(date_from=dt.date(2024, 1, 1), target_types=("residential",))
    return exports.build_export_context(frame, MANIFEST, "v-1", filters.describe("uk"), lang="uk")


def test_caption_lines_are_ukrainian(uk_context):
    lines = exports.caption_lines(uk_context)
    text = " ".join(lines).replace("\u202f", " ").replace("\u00a0", " ")
    assert text.startswith("Фільтри: з 1 січ. 2024 р.") or text.startswith("Фільтри: ")
    for expected in ("Дані станом на 11 квіт. 2024 р.", "версія даних v-1", "Джерела: ", "Ліцензії: ",
                     "Діаграма: автори conflictmap", "Зроблено за допомогою conflictmap", "Житло"):
        assert expected in text, (expected, text)
    assert not english_left(lines), english_left(lines)


def test_english_caption_is_the_default(frame):
    context = exports.build_export_context(frame, MANIFEST, "v-1", "All incidents")
    assert context.lang == "en"
    assert exports.caption_lines(context)[0] == "Filters: All incidents"


def test_every_standard_chart_prepared_for_export_in_ukrainian_has_no_english(frame, uk_context):
    """Titles, axes, legend, hover text, date ticks and caption of every exported chart (no render)."""
    frontlines = pd.DataFrame({"snapshot_date": pd.to_datetime(["2024-01-01", "2024-03-01"]),
                               "source": ["deepstate", "isw"], "method": ["polygon", "polygon"]})
    figures = charts.build_standard_charts(frame, frontlines=frontlines, lang="uk")  # maps: test_i18n_viz
    assert {"trend_incidents", "distance_bands_monthly", "weapon_mix_by_band"} <= set(figures)
    for stem, fig in figures.items():
        out = exports.prepare_figure_for_export(fig, uk_context, notes=(translator("uk")("Note: {note}", note="x"),))
        layout = out.to_dict()["layout"]
        ticks = list(layout.get("xaxis", {}).get("ticktext", ()))
        caption = next(a["text"] for a in layout["annotations"] if a.get("name") == "export_caption")
        chart_texts = [t for t in _layout_texts(out) if t != caption] + ticks
        assert not set().union(*map(_english_words, chart_texts)), (stem, chart_texts)
        assert not english_left([*chart_texts, caption]), (stem, english_left([*chart_texts, caption]))
        hovers = " ".join(a.get("hovertext", "") or "" for a in layout["annotations"])
        assert "front-line source changes" not in hovers
    monthly = exports.prepare_figure_for_export(figures["trend_incidents"], uk_context).layout.xaxis
    assert list(monthly.ticktext) == ["січ. 2024", "лют. 2024", "бер. 2024", "квіт. 2024"]


def test_english_exports_keep_plotly_date_ticks(frame):
    context = exports.build_export_context(frame, MANIFEST, "v-1", "All incidents")
    out = exports.prepare_figure_for_export(charts.build_trend_chart(frame), context)
    assert out.layout.xaxis.ticktext is None and out.layout.xaxis.tickvals is None


@pytest.mark.parametrize(
    ("start", "end", "labels"),
    [
        ("2024-01-01", "2024-01-20", ["1 січ.", "8 січ.", "15 січ."]),
        ("2024-01-01", "2024-03-15", ["січ. 2024", "лют. 2024", "бер. 2024"]),
        ("2023-11-15", "2024-09-01", ["груд. 2023", "січ. 2024", "лют. 2024", "бер. 2024", "квіт. 2024",
                                      "трав. 2024", "черв. 2024", "лип. 2024", "серп. 2024", "вер. 2024"]),
        ("2022-02-24", "2024-06-30", ["квіт. 2022", "лип. 2022", "жовт. 2022", "січ. 2023", "квіт. 2023",
                                      "лип. 2023", "жовт. 2023", "січ. 2024", "квіт. 2024"]),
        ("2019-06-01", "2024-12-31", ["2020", "2021", "2022", "2023", "2024"]),
    ],
)
def test_date_ticks_follow_the_span_and_name_months_in_the_language(start, end, labels):
    values, text = charts.date_ticks(start, end, "uk")
    assert text == labels
    assert all(pd.Timestamp(start) <= v <= pd.Timestamp(end) for v in values)
    assert charts.date_ticks("2024-01-01", "2024-03-15", "en")[1] == ["Jan 2024", "Feb 2024", "Mar 2024"]


def test_plotly_config_carries_a_ukrainian_locale_and_english_is_unchanged():
    assert charts.plotly_config("en") == charts.PLOTLY_OFFLINE_CONFIG
    config = charts.plotly_config("uk")
    assert config["topojsonURL"] == charts.OFFLINE_TOPOJSON_URL and config["locale"] == "uk"
    locale = config["locales"]["uk"]
    assert locale["format"]["shortMonths"][0] == "січ." and locale["format"]["months"][11] == "грудень"
    assert locale["format"]["days"][0] == "неділя" and locale["format"]["decimal"] == ","
    assert locale["dictionary"]["Zoom in"] == "Збільшити"
    assert set(locale["dictionary"]) == set(charts.PLOTLY_UI_WORDS)


def test_data_files_in_ukrainian(frame, uk_context):
    files = exports.build_data_exports(frame, uk_context, MANIFEST)
    sidecar = json.loads(files["incidents.provenance.json"])
    assert sidecar["language"] == "uk"
    assert sidecar["withheld"]["reason"].startswith("Ці джерела не дозволяють поширювати")
    assert all(re.search("[а-яіїєґ]", note) for note in sidecar["notes"])
    assert not english_left(sidecar["notes"] + [sidecar["withheld"]["reason"]])
    aggregates = files["incidents_withheld_aggregates.csv"].decode("utf-8-sig")
    assert "Харківська область" in aggregates and "Kharkiv" not in aggregates
    english = exports.build_data_exports(frame, exports.build_export_context(frame, MANIFEST, "v-1", ""), MANIFEST)
    assert "Kharkiv" in english["incidents_withheld_aggregates.csv"].decode("utf-8-sig")


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Вінниця", "vinnytsia"), ("Згурівка", "zghurivka"), ("Юрій Їжакевич", "yurii-yizhakevych"),
     ("Знам'янка", "znamianka"), ("Kyiv", "kyiv")],
)
def test_transliteration_follows_the_national_system(text, slug):
    assert re.sub(r"[^a-z0-9]+", "-", exports.transliterate(text)) == slug


def test_ukrainian_file_names_are_ascii_and_keep_the_filters():
    uk = Filters(date_from=dt.date(2024, 1, 1), target_types=("residential",)).describe("uk")
    name = exports.export_filename("trends", "monthly", uk, dt.date(2024, 6, 1), "png")
    assert name.isascii() and name.startswith("conflictmap_trends_monthly_") and "zhytlo" in name
    assert exports.export_filename("trends", "monthly", translator("uk")("All incidents"), None, "svg") == (
        "conflictmap_trends_monthly_all.svg")


def test_a_ukrainian_film_draws_only_ukrainian_words(tmp_path, drawn_text):
    """Cards, frame header, panel, legend, city names and footer of a short film in Ukrainian."""
    outline = gpd.GeoDataFrame(geometry=[shapely.box(24.0, 45.0, 40.0, 52.0)], crs="EPSG:4326")
    result = make_animation(
        build_incidents(48), Filters(target_types=("education",)), tmp_path / "f.mp4", boundaries=outline,
        frontlines=two_source_frontlines(), sources=[{"name": "Synthetic src", "licence": "CC BY 4.0"}],
        data_date="2024-12-31", start="2024-01-15", end="2024-09-15", step="month", window_days=30,
        size=(640, 360), card_seconds=0.5, lang="uk",
    )
    assert len(result.plans) == 9
    text = " ".join(drawn_text).replace("\u202f", " ").replace("\u00a0", " ")
    for expected in ("Шкода цивільному населенню в Україні на тлі лінії фронту", "15 січ. 2024 р.",
                     "Лінію фронту не показано: перший знімок датовано 1 лют. 2024 р.",
                     "Лінія фронту: знімок станом на 1 лют. 2024 р.", "Розрив:", "other mapper",
                     "за останні 30 днів:", "Фільтри: цілі: Освіта", "Київ", "Освіта",
                     "порожній кружок: приблизне розташування", "лінія зіткнення",
                     "Дані станом на 31 груд. 2024 р.", "Synthetic src (CC BY 4.0)", "Джерела та ліцензії"):
        assert expected in text, expected
    assert not english_left(drawn_text), english_left(drawn_text)


def test_cli_export_in_ukrainian_builds_ukrainian_charts_context_and_citation(tmp_path, monkeypatch):
    """``geo export --lang uk`` hands the language to the charts, the captions and the citation (no render)."""
    from geo import export_cli
    from geo.cli import main
    from tests.synthetic_data import write_data_dir

    seen: dict = {}

    def fake_write(out_dir, frame, context, manifest, charts_, **kwargs):
        seen.update(context=context, charts=charts_, citation=kwargs["citation_text"])
        return {"files": [], "seconds": {}}

    real_charts = export_cli.build_standard_charts
    monkeypatch.setattr(export_cli, "write_view_export", fake_write)
    monkeypatch.setattr(export_cli, "build_standard_charts",  # the choropleths are checked in test_i18n_viz
                        lambda frame, **kw: real_charts(frame, **{**kw, "boundaries": None}))
    directory = write_data_dir(tmp_path / "d")
    assert main(["export", str(directory), "--out", str(tmp_path / "out"), "--lang", "uk"]) == 0
    assert seen["context"].lang == "uk"
    assert seen["charts"]["trend_incidents"].layout.title.text == "Інциденти за місяць"
    assert seen["citation"].splitlines()[-1].startswith("- ") and "Джерела:" in seen["citation"]
    assert not english_left(exports.caption_lines(seen["context"]))

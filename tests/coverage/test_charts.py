"""The dashboard charts: plain functions from numbers to SVG, no database."""

from __future__ import annotations

import datetime
import math
import xml.etree.ElementTree as ET

from coverage.charts import (
    Bar,
    Point,
    Series,
    bar_chart,
    id_number,
    id_percent,
    line_chart,
    month_label,
    nice_axis,
)

SVG = "{http://www.w3.org/2000/svg}"

REGENCIES = [
    Bar("Kabupaten Lebak", 22.345, "1.094 dari 4.896"),
    Bar("Kota Serang", 45.2, "2.260 dari 5.000", url="/cakupan/36.73/"),
    Bar("Kabupaten Kepulauan Seribu", None, "tanpa potensi"),
    Bar("Kota Tangerang Selatan", 112.4, "5.620 dari 5.000"),
    Bar("Kabupaten Pandeglang", 8.0, "400 dari 5.000"),
]

SERIES = [
    Series("registered", "Terdaftar", "#146c43"),
    Series("active", "Aktif", "#0d6efd", dashed=True),
]


def _months(count: int, start: datetime.date = datetime.date(2026, 1, 1)) -> list[datetime.date]:
    return [
        datetime.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(count)
    ]


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def _ticks(root: ET.Element) -> list[str]:
    """The y-axis labels, bottom to top (the only right-aligned text of a trend)."""
    return [text.text for text in root.iter(f"{SVG}text") if text.get("text-anchor") == "end"]


def _row_labels(root: ET.Element) -> list[str]:
    """The visible label of each bar row, top to bottom."""
    return [row.findall(f"{SVG}text")[0].text for row in root.iter(f"{SVG}g")]


# --- numbers -----------------------------------------------------------------------------------


def test_numbers_are_written_the_indonesian_way():
    assert id_number(24201) == "24.201"
    assert id_number(1250000) == "1.250.000"
    assert id_number(7) == "7"
    assert id_percent(22.345) == "22,3 %"
    assert id_percent(22.35) == "22,4 %"  # half up, as people round, not half to even
    assert id_percent(1234.56, decimals=0) == "1.235 %"
    assert id_percent(0) == "0,0 %"
    assert id_percent(None) == "—"


def test_months_are_labelled_with_indonesian_abbreviations_and_two_digit_years():
    assert [month_label(month) for month in _months(12)] == [
        "Jan 26", "Feb 26", "Mar 26", "Apr 26", "Mei 26", "Jun 26",
        "Jul 26", "Agu 26", "Sep 26", "Okt 26", "Nov 26", "Des 26",
    ]  # fmt: skip


def test_the_y_axis_ends_at_a_round_number_in_four_or_five_round_steps():
    assert nice_axis(24201) == (25000, 5000)
    assert nice_axis(10000) == (10000, 2000)
    assert nice_axis(30000) == (40000, 10000)
    assert nice_axis(112.4) == (125, 25)
    assert nice_axis(0.3) == (0.4, 0.1)
    # Counts get whole steps: one worker is not drawn against ticks of 0,2.
    assert nice_axis(1, whole=True) == (4, 1)
    assert nice_axis(0, whole=True) == (4, 1)
    for peak in (1, 3, 7, 99, 24201, 1_234_567):
        top, step = nice_axis(peak)
        assert top >= peak
        assert 4 <= round(top / step) <= 5
        assert step / 10 ** math.floor(math.log10(step)) in (1, 2, 2.5, 5)


# --- bar chart ---------------------------------------------------------------------------------


def test_bars_are_sorted_highest_first_with_regions_without_potential_last():
    root = _svg(bar_chart(REGENCIES, title="Cakupan per kabupaten/kota"))

    assert _row_labels(root) == [
        "Kota Tangerang Selatan",
        "Kota Serang",
        "Kabupaten Lebak",
        "Kabupaten Pandeglang",
        "Kabupaten Kepulauan Seribu",
    ]
    last_row = list(root.iter(f"{SVG}g"))[-1]
    assert [text.text for text in last_row.findall(f"{SVG}text")][1:] == ["—", "tanpa potensi"]


def test_a_bar_above_100_percent_is_capped_at_the_reference_line_and_marked():
    markup = bar_chart(REGENCIES, title="Cakupan")
    root = _svg(markup)
    rows = list(root.iter(f"{SVG}g"))
    track, bar = rows[0].findall(f"{SVG}rect")[1:3]

    assert bar.get("width") == track.get("width")  # 112,4 % drawn as a full bar
    assert rows[0].findall(f"{SVG}polyline[@data-capped='true']")
    assert not rows[1].findall(f"{SVG}polyline[@data-capped='true']")
    assert "112,4 %" in markup  # the value itself is not capped
    reference = root.findall(f"{SVG}line")[-1]
    assert float(reference.get("x1")) == float(track.get("x")) + float(track.get("width"))


def test_bar_values_and_details_are_written_in_indonesian_format():
    markup = bar_chart(REGENCIES, title="Cakupan")

    assert ">22,3 %</text>" in markup
    assert ">1.094 dari 4.896</text>" in markup
    assert ">45,2 %</text>" in markup


def test_a_bar_with_a_url_is_a_link_to_drill_down():
    root = _svg(bar_chart(REGENCIES, title="Cakupan"))

    links = root.findall(f"{SVG}a")
    assert [link.get("href") for link in links] == ["/cakupan/36.73/"]
    assert links[0].find(f"{SVG}g/{SVG}text").text == "Kota Serang"


def test_labels_and_urls_are_escaped_not_injected():
    markup = bar_chart(
        [Bar('<script>alert("x")</script>', 10, "<b>1</b>", url='/x/?a=1&b="2"')],
        title="<Cakupan>",
    )

    assert "<script>" not in markup
    assert "<b>" not in markup
    assert "&lt;script&gt;" in markup
    assert 'href="/x/?a=1&amp;b=&quot;2&quot;"' in markup
    root = _svg(markup)
    assert root.find(f"{SVG}title").text == "<Cakupan>"
    assert root.find(f"{SVG}a").get("href") == '/x/?a=1&b="2"'


def test_a_long_label_is_shortened_with_an_ellipsis_and_kept_whole_in_the_tooltip():
    name = "Kabupaten Kepulauan Siau Tagulandang Biaro dan sekitarnya"
    root = _svg(bar_chart([Bar(name, 50, "1 dari 2")], title="Cakupan"))
    row = root.find(f"{SVG}g")

    assert row.find(f"{SVG}text").text.endswith("…")
    assert len(row.find(f"{SVG}text").text) < len(name)
    assert row.find(f"{SVG}title").text.startswith(name)


def test_the_bar_chart_is_an_accessible_image_that_scales_with_its_container():
    root = _svg(bar_chart(REGENCIES, title="Cakupan per kabupaten/kota"))

    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 1000 ")
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert desc.text.startswith(
        "Kota Tangerang Selatan 112,4 % (5.620 dari 5.000); Kota Serang 45,2 %"
    )
    for text in root.iter(f"{SVG}text"):
        assert int(text.get("font-size")) >= 13


def test_the_bar_chart_grows_by_one_row_per_bar():
    def height(count: int) -> float:
        bars = [Bar(f"Kab. {i}", i, "") for i in range(count)]
        return float(_svg(bar_chart(bars, title="x")).get("viewBox").split()[3])

    assert height(9) - height(8) == height(2) - height(1) > 20


def test_no_bars_show_the_callers_empty_text():
    markup = bar_chart([], title="Cakupan", empty_text="Belum ada data <apa pun>.")

    assert "<svg" not in markup
    assert "Belum ada data &lt;apa pun&gt;." in markup


# --- line chart --------------------------------------------------------------------------------


def _trend() -> list[Point]:
    registered = [1200, 2500, 4100, 6000, 8800, 10400, 12900, 15000, 17400, 19800, 22100, 24201]
    active = [1000, 2100, 3600, None, 7900, 9000, 11000, 13100, 15500, 17600, 19700, 21900]
    return [
        Point(month, {"registered": r, "active": a})
        for month, r, a in zip(_months(12), registered, active, strict=True)
    ]


def test_the_trend_has_indonesian_months_gridlines_and_the_last_values():
    markup = line_chart(_trend(), title="Tren", series=SERIES)
    root = _svg(markup)
    texts = [text.text for text in root.iter(f"{SVG}text")]

    assert {"Jan 26", "Mei 26", "Agu 26", "Okt 26", "Des 26"} <= set(texts)
    assert _ticks(root) == ["0", "5.000", "10.000", "15.000", "20.000", "25.000"]
    assert "24.201" in texts and "21.900" in texts
    assert root.get("role") == "img"
    assert root.find(f"{SVG}desc").text == (
        "Terdaftar: Jan 26 1.200 … Des 26 24.201; Aktif: Jan 26 1.000 … Des 26 21.900"
    )


def test_a_missing_month_breaks_the_line_instead_of_bridging_it():
    root = _svg(line_chart(_trend(), title="Tren", series=SERIES))
    lines = {}
    for polyline in root.findall(f"{SVG}polyline"):
        lines.setdefault(polyline.get("stroke"), []).append(len(polyline.get("points").split()))

    assert lines["#146c43"] == [12]
    assert lines["#0d6efd"] == [3, 8]  # Jan–Mar, then May–Dec; April has no value
    blue_dots = [c for c in root.findall(f"{SVG}circle") if c.get("fill") == "#0d6efd"]
    assert len(blue_dots) == 11 + 1  # eleven months, and the legend's swatch


def test_a_dashed_series_is_dashed_in_the_line_and_the_legend():
    root = _svg(line_chart(_trend(), title="Tren", series=SERIES))

    for line in [*root.findall(f"{SVG}polyline"), *root.findall(f"{SVG}line")]:
        if line.get("stroke") == "#0d6efd":
            assert line.get("stroke-dasharray")
        if line.get("stroke") == "#146c43":
            assert not line.get("stroke-dasharray")


def test_a_single_month_is_drawn_as_dots_without_lines():
    point = Point(datetime.date(2026, 8, 1), {"registered": 3, "active": 1})
    root = _svg(line_chart([point], title="Tren", series=SERIES))

    assert root.findall(f"{SVG}polyline") == []
    assert len(root.findall(f"{SVG}circle")) == 2 + 2  # two dots, two legend swatches
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert "Agu 26" in texts
    assert _ticks(root) == ["0", "1", "2", "3", "4"]  # whole workers, not 0,2 steps


def test_series_labels_are_escaped_in_the_trend():
    series = [Series("registered", "<i>Terdaftar</i>", '"red')]
    markup = line_chart(_trend(), title="Tren & <b>", series=series)

    assert "<i>" not in markup and "<b>" not in markup
    assert _svg(markup).find(f"{SVG}title").text == "Tren & <b>"


def test_a_trend_without_any_value_shows_the_callers_empty_text():
    empty = [Point(datetime.date(2026, 1, 1), {"registered": None})]

    assert "Belum ada" in line_chart(empty, title="Tren", series=SERIES, empty_text="Belum ada")
    assert "Belum ada" in line_chart([], title="Tren", series=SERIES, empty_text="Belum ada")


def test_two_different_charts_on_one_page_do_not_share_ids():
    first = _svg(bar_chart(REGENCIES, title="A"))
    second = _svg(bar_chart(REGENCIES[:2], title="A"))

    assert first.get("aria-labelledby") != second.get("aria-labelledby")

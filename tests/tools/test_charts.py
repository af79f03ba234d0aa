"""Progress charts: the PNG decodes at about 900×500, empty and full data both draw, no figure is left
open; the terminal chart has a line per domain with the right percentages and the 70 % marker."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, timedelta

import matplotlib.pyplot as plt
import pytest
from PIL import Image

from tools import charts
from tools.charts import DOMAINS, percent, progress_chart, text_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FULL = {1: (18, 20), 2: (7, 12), 3: (13, 25), 4: (9, 9), 5: (0, 4)}
DAY = date(2026, 11, 2)


def decode(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image


@pytest.mark.parametrize(
    ("by_domain", "activity"),
    [
        ({}, []),
        (FULL, [(DAY + timedelta(days=i), 3 + i % 5) for i in range(30)]),
        ({3: (1, 2)}, [(DAY, 2)]),
        (FULL, [(DAY, 2), (DAY, 3), (DAY - timedelta(days=40), 1), (DAY + timedelta(days=1), 0)]),
    ],
    ids=["empty", "full", "one-day", "repeated-and-unsorted"],
)
def test_progress_chart_is_a_png_of_about_900_by_500(by_domain, activity) -> None:
    image = decode(progress_chart(by_domain, activity))
    width, height = image.size
    assert 850 <= width <= 950
    assert 450 <= height <= 550
    assert plt.get_fignums() == []


def test_progress_chart_leaves_no_figures_open_after_many_calls() -> None:
    for _ in range(5):
        progress_chart(FULL, [(DAY, 5)], title="Someone's progress")
    assert plt.get_fignums() == []


def test_progress_chart_closes_the_figure_when_drawing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(charts, "_activity_panel", broken)
    with pytest.raises(RuntimeError, match="drawing failed"):
        progress_chart(FULL, [(DAY, 1)])
    assert plt.get_fignums() == []


def test_progress_chart_differs_with_data() -> None:
    assert progress_chart({}, []) != progress_chart(FULL, [(DAY, 5)])


def test_importing_the_module_does_not_import_matplotlib() -> None:
    code = "import sys, tools.charts; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_text_chart_has_one_line_per_domain_with_percentages() -> None:
    lines = text_chart(FULL).splitlines()
    assert len(lines) == 5
    for line, name in zip(lines, DOMAINS.values(), strict=True):
        assert line.startswith(name)
    assert lines[0].endswith(" 90 % (18/20)")
    assert lines[1].endswith(" 58 % (7/12)")
    assert lines[2].endswith(" 52 % (13/25)")
    assert lines[3].endswith("100 % (9/9)")
    assert lines[4].endswith("  0 % (0/4)")


def test_text_chart_bars_and_the_70_percent_marker() -> None:
    lines = text_chart(FULL, width=20).splitlines()
    d3 = lines[2]
    assert d3 == "D3 FMs       ██████████░░░░│░░░░░░  52 % (13/25)"
    # the marker sits in the same column on every line, after 14 of 20 cells (70 %)
    columns = {line.index("│") for line in lines}
    assert len(columns) == 1
    for line in lines:
        bar = line[line.index("│") - 14 : line.index("│") + 7]
        assert len(bar.replace("│", "")) == 20
        assert set(bar) <= {"█", "░", "│"}
    assert "██████████████│████░░" in lines[0]  # 90 %: past the line
    assert "██████████████│██████" in lines[3]  # 100 %: full


def test_text_chart_without_answers() -> None:
    lines = text_chart({}).splitlines()
    assert len(lines) == 5
    assert all(line.endswith("no answers") for line in lines)
    assert all("█" not in line and "│" in line for line in lines)
    partial = text_chart({2: (3, 4)}).splitlines()
    assert partial[1].endswith(" 75 % (3/4)")
    assert [line.endswith("no answers") for line in partial] == [True, False, True, True, True]


@pytest.mark.parametrize("width", [10, 20, 40])
def test_text_chart_width_and_marker_column(width: int) -> None:
    line = text_chart({1: (7, 10)}, width=width).splitlines()[0]
    start = line.index("█")
    marker = line.index("│")
    assert marker - start == round(width * 0.7)
    assert line[start:].count("█") == round(width * 0.7)  # exactly 70 % fills up to the marker


def test_percent_rounds_half_up_and_handles_zero() -> None:
    assert percent(13, 25) == 52
    assert percent(1, 8) == 13  # 12.5 rounds up
    assert percent(0, 0) == 0

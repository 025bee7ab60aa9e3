"""The e2e test's screenshot check tells a drawn Prefect UI page from a blank or cut one."""

from __future__ import annotations

from PIL import Image, ImageDraw

from tests.support import REPO
from tests.support.screenshots import rendering_problems

WINDOW = (1400, 1000)


def test_the_committed_ui_screenshots_pass():
    for name in ("prefect-ui-run.png", "prefect-ui-summary.png"):
        assert rendering_problems(REPO / "docs" / name, WINDOW) == [], name


def test_a_blank_page_fails(tmp_path):
    Image.new("RGB", WINDOW, "white").save(tmp_path / "blank.png")
    problems = rendering_problems(tmp_path / "blank.png", WINDOW)
    assert len(problems) == 3 and "only 1 colours" in problems[0]


def test_a_page_with_one_line_of_text_fails(tmp_path):
    # What a browser error page or a spinner looks like: a little text on white.
    image = Image.new("RGB", WINDOW, "white")
    ImageDraw.Draw(image).text((600, 480), "This site can't be reached", fill="black")
    image.save(tmp_path / "error.png")
    assert rendering_problems(tmp_path / "error.png", WINDOW)


def test_a_cut_screenshot_fails(tmp_path):
    with Image.open(REPO / "docs" / "prefect-ui-run.png") as full:
        full.crop((0, 0, 1400, 600)).save(tmp_path / "cut.png")
    assert rendering_problems(tmp_path / "cut.png", WINDOW) == [
        "1400x600 pixels, not the window's 1400x1000"
    ]

"""Tells a screenshot of a drawn page from a blank, cut or half-drawn one, by its pixels."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageStat

# A drawn Prefect UI page measured 1,800-2,500 colours, its commonest colour on 56-64% of
# the pixels and a grey-level standard deviation of 30-36; a blank page has 1 colour, 100%
# and 0. The floors sit well between the two.
MIN_COLOURS = 256
MAX_COMMONEST_SHARE = 0.9
MIN_STDDEV = 15.0


def rendering_problems(path: Path, size: tuple[int, int]) -> list[str]:
    """Returns what is wrong with the screenshot at `path` of a `size` window; [] if none."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
    if rgb.size != size:
        return [f"{rgb.width}x{rgb.height} pixels, not the window's {size[0]}x{size[1]}"]
    colours = rgb.getcolors(maxcolors=rgb.width * rgb.height)
    commonest = max(count for count, _ in colours) / (rgb.width * rgb.height)
    stddev = ImageStat.Stat(rgb.convert("L")).stddev[0]
    problems = []
    if len(colours) < MIN_COLOURS:
        problems.append(f"only {len(colours)} colours: no text or images drawn")
    if commonest > MAX_COMMONEST_SHARE:
        problems.append(f"one colour covers {commonest:.0%} of it: mostly empty")
    if stddev < MIN_STDDEV:
        problems.append(f"grey-level standard deviation {stddev:.1f}: next to no contrast")
    return problems

"""Finds what a page prints beside its images that is not the story: captions and credits
without a <figure>, and pop-up cards nested in a sentence's names.

trafilatura keeps them as lines of the story ("Pictured from left, …", "Image: AFP") or
inside its sentences; cleanup.py drops the lines and cards this module names.
"""

from __future__ import annotations

from itertools import islice

_IMAGE_BOX_DEPTH = 3  # <div><span><picture><img>: the caption sits a few levels up
_MAX_CAPTION = 300  # a box with more text than this beside its image is not a caption
_NOT_CAPTION_BOXES = {"blockquote", "li"}
_MAX_TYPED_CAPTION = 150  # a caption typed below an image: a line, not a paragraph


def image_captions(tree, block_tags: tuple[str, ...]):
    """Yields the texts printed as an image's caption or credit without a <figure>.

    The box is the image's nearest ancestor (within _IMAGE_BOX_DEPTH) holding any text; it
    holds a caption when that text is short ("Pictured from left, …", "Image: …"). Not in
    quotes and list items: a quote block shows its speaker's portrait, a listicle's item its
    picture, beside text of the story. Blog editors also type the caption into the one or
    two short blocks right after the image's own block (Blogger's centred lines).
    """
    lengths: dict[object, int] = {}  # images side by side share their ancestors
    boxes_read = set()
    for image in tree.iter("img", "picture"):
        box = _image_box(image, lengths)
        if box is None or box.tag in _NOT_CAPTION_BOXES:
            continue
        own = _between(image, box)  # the image's own blocks, up to the box
        yield from _captions_after(own[-1], box)
        if box in boxes_read or lengths[box] > _MAX_CAPTION:
            continue
        boxes_read.add(box)
        for element in box.iter(*block_tags):
            if (
                element is not box
                and element not in own
                and (text := _flat(element.text_content()))
            ):
                yield text


def _image_box(image, lengths: dict):
    """Returns the image's nearest ancestor within _IMAGE_BOX_DEPTH that holds text;
    `lengths` keeps the length of each ancestor's folded text."""
    for ancestor in islice(image.iterancestors(), _IMAGE_BOX_DEPTH):
        if ancestor not in lengths:
            lengths[ancestor] = len(_flat(ancestor.text_content()))
        if lengths[ancestor]:
            return ancestor
    return None


def _between(image, box) -> list:
    """Returns the image and its ancestors below `box`, innermost first."""
    chain = [image]
    while chain[-1].getparent() is not box:
        chain.append(chain[-1].getparent())
    return chain


def _captions_after(block, box):
    """Yields the short <div>/<span> blocks right after the image's own block in `box`."""
    for sibling in islice(block.itersiblings(), 2):
        if sibling.tag not in ("div", "span"):
            return
        text = _flat(sibling.text_content())
        if not text or len(text) > _MAX_TYPED_CAPTION:
            return
        yield text


def _flat(text: str) -> str:
    return " ".join(text.split())


def drop_hover_cards(tree) -> int:
    """Removes the pop-up cards some sites nest inside a paragraph's names; returns how many.

    A name in a sentence becomes a link with a hidden card beside it (a portrait, the name
    again, links to recent stories about the person); trafilatura reads the card into the
    sentence ("Rep. Ilhan OmarIlhan OmarHillicon Valley: …"). Prose never nests an image and
    a run of links inside an inline <span>.
    """
    candidates = tree.xpath("//p//span//img")  # in C: most pages have none
    cards = {card for image in candidates if (card := _card_around(image)) is not None}
    for card in cards:
        card.drop_tree()
    return len(cards)


def _card_around(image):
    for ancestor in image.iterancestors():
        if ancestor.tag == "p" or ancestor.tag not in ("span", "a"):
            return None
        if ancestor.tag == "span" and _is_link_run(ancestor) and _in_paragraph(ancestor):
            return ancestor
    return None


def _is_link_run(element) -> bool:
    links = element.findall(".//a")
    text = len(_flat(element.text_content()))
    return len(links) >= 2 and sum(len(_flat(a.text_content())) for a in links) >= 0.9 * text


def _in_paragraph(element) -> bool:
    return any(a.tag == "p" for a in islice(element.iterancestors(), 6))

"""The Markdown guard: text from a link, a file or the registry shown as itself.

Streamlit renders Markdown in ``st.markdown``, captions, alerts and titles, so a crafted value
(``[click](https://…)``, ``![x](https://…)``) would become a link or an image. Every value that
did not come from this code goes through :func:`plain` before it joins such a string.
"""

from __future__ import annotations

import re

# Every character Markdown (CommonMark, GitHub and Streamlit's extensions: colours, emoji,
# LaTeX) gives a meaning to; escaped with a backslash, each shows as itself.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&])")
# Line breaks and other control characters would start a new block (a heading, a list).
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
# Streamlit's Markdown links bare addresses (GitHub's "autolink literals": http://, https://,
# www., e-mail) after escapes are read, so no escape stops it. A link needs a space, a
# punctuation mark or the start of the text before it (and an e-mail's name right before its
# @): an invisible word joiner there keeps the address as text.
_AUTOLINK = re.compile(r"(?=https?:|www\.|@)", re.IGNORECASE)
#: The invisible character that keeps an address from becoming a link.
WORD_JOINER = "\u2060"


def plain(value: object) -> str:
    """Return ``value`` as text that Streamlit Markdown shows as itself.

    Every Markdown character is escaped, line breaks become spaces, and an invisible word
    joiner goes before each ``http:``, ``https:``, ``www.`` and ``@``, so the value never
    becomes a link (not even a bare address), an image, a heading or formatting.

    Parameters
    ----------
    value
        Anything; it is shown as ``str(value)``.

    Returns
    -------
    str
        The escaped text.
    """
    unlinked = _AUTOLINK.sub(WORD_JOINER, _CONTROL.sub(" ", str(value)))
    return _MARKDOWN_SPECIALS.sub(r"\\\1", unlinked)

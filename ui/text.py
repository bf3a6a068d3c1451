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


def plain(value: object) -> str:
    """Return ``value`` as text that Streamlit Markdown shows as itself.

    Every Markdown character is escaped and line breaks become spaces, so the value never
    becomes a link, an image, a heading or formatting.

    Parameters
    ----------
    value
        Anything; it is shown as ``str(value)``.

    Returns
    -------
    str
        The escaped text.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", _CONTROL.sub(" ", str(value)))

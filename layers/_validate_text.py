"""Column-wise text tests that pick the registry rows a row-by-row rule may refuse.

The cross checks (:mod:`layers.registry_checks`, :mod:`layers.location_checks`) write each
message from one row's values. Running them on every row of a large registry is slow, so each
check first tests whole columns with Arrow's compute functions to find the rows that *may*
fail, and only those rows go through the row-by-row rule: the messages are the rule's own.

A column test may pick a row the rule then passes, but must never miss one it would refuse.
Arrow's regular expressions are RE2's, not Python's; the two agree on text made only of
printable ASCII (space to ``~``) for the patterns :func:`re2_safe` accepts. So every test here
treats a cell holding any other character (a tab, a line break, an accent, a curly quote) as
"may fail", and a pattern RE2 might read differently as matching every such cell.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Arrow types whose cast to text is each value's ``str()`` (dates as ISO, like ``date``'s).
_AS_TEXT = (pa.null(), pa.string(), pa.large_string(), pa.date32())
# What re2_safe accepts: group openings, alternation, anchors and word boundaries, and atoms,
# each atom with at most one quantifier.
_ESCAPE = r"\\[wWdDsS]|\\[^A-Za-z0-9]"
_MARK = r"\(\?:|\((?!\?)|[|^$]|\\[bB]"
_ATOM = (
    rf"{_ESCAPE}"
    rf"|\[\^?\]?(?:{_ESCAPE}|[^\\\[\]])*\]"  # a bracket set (no nested '[', no \b in it)
    r"|[).]"  # a group's end, any character
    r"|[^\\\[\](){}*+?|^$.]"  # a literal
)
_QUANTIFIER = r"(?:[*+?]|\{[0-9]+(?:,[0-9]*)?\})\??"
_SAFE_PATTERN = re.compile(rf"(?:{_MARK}|(?:{_ATOM})(?:{_QUANTIFIER})?)*")


class Column:
    """One column's cells as a row-by-row rule reads them, held in Arrow.

    Parameters
    ----------
    values
        The column. A cell reads as its text with blanks stripped; None and NaN read as ''.

    Attributes
    ----------
    text
        Each cell's text, stripped (exactly so where ``plain``).
    plain
        Which cells hold only printable ASCII: where the column tests are exact.
    """

    def __init__(self, values: pd.Series) -> None:
        raw = arrow_text(values)
        self.plain: np.ndarray = bools(pc.ascii_is_printable(raw))
        # on printable ASCII the only blank is the space, all that str.strip() removes there
        self.text: pa.Array = pc.utf8_trim(raw, characters=" ")

    def __len__(self) -> int:
        return len(self.plain)

    def surely(self, value: str) -> np.ndarray:
        """Return which cells surely read as ``value``."""
        return self.plain & bools(pc.equal(self.text, value))

    def may_be(self, value: str) -> np.ndarray:
        """Return which cells may read as ``value``."""
        return ~self.plain | bools(pc.equal(self.text, value))

    def filled(self) -> np.ndarray:
        """Return which cells may read as text (not surely '')."""
        return ~self.surely("")

    def years(self) -> np.ndarray:
        """Return each cell's year where it is surely four ASCII digits, else -1."""
        digits = self.plain & bools(pc.match_substring_regex(self.text, r"^[0-9]{4}$"))
        years = pc.cast(pc.if_else(pa.array(digits), self.text, "-1"), pa.int64())
        return np.asarray(years.to_numpy(zero_copy_only=False), dtype=np.int64)

    def search(self, pattern: str, *, ignore_case: bool = False) -> np.ndarray:
        """Return which cells Python's ``re.search(pattern, cell)`` may match."""
        return search(self.text, self.plain, pattern, ignore_case=ignore_case)


def search(
    texts: pa.Array, plain: np.ndarray, pattern: str, *, ignore_case: bool = False
) -> np.ndarray:
    """Return which of ``texts`` Python's ``re.search(pattern, text)`` may match.

    Exact where ``plain`` and the pattern is :func:`re2_safe`; True everywhere else.
    """
    if not re2_safe(pattern):
        return np.ones(len(plain), dtype=bool)
    try:
        found = bools(pc.match_substring_regex(texts, pattern, ignore_case=ignore_case))
    except pa.ArrowInvalid:  # RE2 refuses what Python accepts: let the rule decide
        return np.ones(len(plain), dtype=bool)
    return found | ~plain


def replace(texts: pa.Array, pattern: str, replacement: str, *, ignore_case: bool) -> pa.Array:
    """Return ``re.sub(pattern, replacement, text)`` of each text (exact on plain ones).

    Raises
    ------
    ValueError
        When the pattern is not :func:`re2_safe` or the replacement holds a backslash.
    """
    if not re2_safe(pattern) or "\\" in replacement:
        raise ValueError(f"cannot replace {pattern!r} by {replacement!r} in Arrow as Python does")
    flags = "(?i)" if ignore_case else ""
    return pc.replace_substring_regex(texts, pattern=flags + pattern, replacement=replacement)


def re2_safe(pattern: str) -> bool:
    r"""Say whether RE2 reads ``pattern`` as Python does on printable ASCII text.

    Accepted: ASCII literals, escaped punctuation, the classes ``\w \d \s`` (and their
    negations), ``\b`` and ``\B`` outside brackets, bracket sets, ``(...)``, ``(?:...)``,
    alternation, ``^``, ``$``, ``.``, and one quantifier per atom: ``* + ?`` or a counted
    ``{n}``, ``{n,}``, ``{n,m}``, each maybe lazy. Anything else (look-arounds,
    back-references, flags, named groups, possessive quantifiers, ``\A``, ``\Z``, ``{,n}``,
    non-ASCII) is refused: the column test then picks every row for the row-by-row rule.
    """
    return pattern.isascii() and _SAFE_PATTERN.fullmatch(pattern) is not None


def bools(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Return an Arrow boolean column as numpy, nulls read as False."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def arrow_text(values: pd.Series) -> pa.Array:
    """Return each cell's text, unstripped ('' for None and NaN), as an Arrow column."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA:
        # missing cells of this dtype are NaN, which the rules read as ''
        return pc.fill_null(pa.array(values.array, type=pa.large_string()), "")
    if pd.api.types.is_object_dtype(dtype):
        try:  # text and None, or dates and None: Arrow reads them without Python
            typed = pa.array(values.to_numpy(), from_pandas=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            typed = None
        if typed is not None and typed.type in _AS_TEXT:
            return pc.fill_null(pc.cast(typed, pa.large_string()), "")
    return pa.array([_cell(value) for value in values], type=pa.large_string())


def dates(values: pd.Series) -> pa.Array | None:
    """Return a column of ``datetime.date`` and None as Arrow dates, or None if it is not one."""
    if values.dtype != object:
        return None
    try:
        typed = pa.array(values.to_numpy(), from_pandas=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return typed if typed.type == pa.date32() else None


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)

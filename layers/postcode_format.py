"""The UK postcode's shape: values in any usual form made into ``CV8 3AB``, or refused."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# The UK postcode shape (outward code, then inward code), after the government data standard:
# A9, A99, A9A, AA9, AA99 and AA9A outward codes, and the letters each position may hold.
_OUTWARD = r"(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
POSTCODE_RE = re.compile(rf"^(?:{_OUTWARD}{_INWARD}|GIR0AA)$")
_SPACES_RE = re.compile(r"\s+")


def normalise(value: object) -> str | None:
    """Return ``value`` as a postcode in its usual form (``CV8 3AB``), or None if it is not one.

    Case, spaces (including non-breaking ones) and surrounding blanks are ignored; the result
    has one space between the outward and inward codes. A value without the UK postcode shape
    (outward code, then digit and two letters) gives None.
    """
    if not isinstance(value, str):
        return None
    compact = _SPACES_RE.sub("", value).upper()
    if not POSTCODE_RE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def clean(values: pd.Series) -> pd.Series:
    """Strip, collapse every kind of space to one and upper-case (non-strings become blank).

    Text and None made only of printable ASCII is cleaned by Arrow, where the one blank is the
    space; anything else goes through Python's whitespace class and pandas, as before.
    """
    try:
        texts = pa.array(values.to_numpy(dtype=object), type=pa.large_string(), from_pandas=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not only text and None
        return _clean_each(values)
    texts = pc.fill_null(texts, "")
    if pc.all(pc.ascii_is_printable(texts)).as_py() not in (True, None):
        return _clean_each(values)
    spaced = pc.replace_substring_regex(texts, pattern=" +", replacement=" ")
    cleaned = pc.ascii_upper(pc.utf8_trim(spaced, characters=" "))
    return pd.Series(cleaned.to_pylist(), index=values.index, dtype="str")


def _clean_each(values: pd.Series) -> pd.Series:
    text = values.where(values.map(lambda v: isinstance(v, str)), "").astype(str)
    return text.str.replace(_SPACES_RE, " ", regex=True).str.strip().str.upper()


def normalise_series(cleaned: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise` of cleaned values; None where malformed."""
    compact = cleaned.str.replace(" ", "", regex=False)
    valid = compact.str.match(POSTCODE_RE)
    joined = compact.str[:-3] + " " + compact.str[-3:]
    return joined.where(valid, None)

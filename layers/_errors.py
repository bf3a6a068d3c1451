"""Exceptions raised by the layer builders, each naming what went wrong and what to do next."""

from __future__ import annotations


class BoundaryDownloadError(RuntimeError):
    """The ONS service (or its mirror) did not give a complete, valid layer."""


class BoundaryDataMissingError(FileNotFoundError):
    """A built boundary layer is missing: run ``python -m layers.boundaries build``."""


class SiteValidationError(ValueError):
    """The sites registry has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[str], *, source: str = "registry") -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{source} has {count} problem{'s' if count != 1 else ''}; "
            f"fix them (python -m layers.sites validate lists them):\n{lines}"
        )

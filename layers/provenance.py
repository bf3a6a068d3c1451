"""Where the data came from: a short data version and the facts behind it.

The data version is a short hash of the registry file and of the built boundary files, so a
copied link or an export can say which data it was made from, and notice when that changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import settings
from layers import boundaries


def data_version(
    sites_path: str | Path | None = None,
    *,
    boundaries_dir: str | Path | None = None,
) -> str:
    """Return an 8-character version of the registry and boundaries in use.

    ``sites_path`` and ``boundaries_dir`` default to ``settings.SITES_CSV`` and
    ``settings.BOUNDARIES_DIR``, read when called.
    """
    digest = hashlib.sha256()
    digest.update(Path(sites_path or settings.SITES_CSV).read_bytes())
    built = boundaries.read_manifest(boundaries_dir).get("built", {}).get("files", {})
    for name in sorted(built):
        digest.update(f"{name}={built[name]}".encode())
    return digest.hexdigest()[:8]


def sources(boundaries_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """Return one row per downloaded ONS layer: service, where from, when, features, sha256.

    ``boundaries_dir`` defaults to ``settings.BOUNDARIES_DIR``, read when called.
    """
    layers = boundaries.read_manifest(boundaries_dir).get("layers", {})
    return [
        {
            "layer": name,
            "service": entry.get("service", ""),
            "source": entry.get("source", ""),
            "retrieved_at": entry.get("retrieved_at", ""),
            "features": entry.get("feature_count", 0),
            "sha256": str(entry.get("sha256", ""))[:12],
        }
        for name, entry in sorted(layers.items())
    ]

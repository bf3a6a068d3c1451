"""``live_map``: the Streamlit component that keeps one Leaflet map and updates it in place.

The frontend (``frontend/``: plain HTML, JavaScript and CSS, no build step) speaks Streamlit's
component messages itself and loads Leaflet from the project's local assets
(``/app/static/vendor``, see :mod:`mapping.assets`). Python sends, per rerun:

- the base (:class:`~mapping.livemap.base.MapBase`) only when this map has not received its
  version;
- only the site rows this map has never received (:class:`~mapping.livemap.rows.Catalogue`),
  and which rows to show as a bit mask;
- the options: fit to the selection, highlighted sites, an initial view.

The browser builds the map once and answers with the view and the last site clicked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypedDict

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from mapping.livemap.base import MapBase
from mapping.livemap.overlays import Overlay, overlays_payload
from mapping.livemap.rows import Catalogue, payload_json, show_mask

FRONTEND_DIR: Path = Path(__file__).parent / "frontend"
#: Above this many shown sites the map clusters them when ``cluster="auto"``.
CLUSTER_ABOVE: int = 400
_STATE_PREFIX = "livemap-session:"
_declared: list[Any] = []


class MapView(TypedDict):
    """A map view: centre ``[lat, lon]``, zoom, and bounds ``[[south, west], [north, east]]``."""

    center: list[float]
    zoom: float
    bounds: list[list[float]]


class MapEvent(TypedDict):
    """What the map reports: its current view and the last site clicked (with a click count)."""

    view: MapView | None
    clicked: str | None
    clicks: int


@dataclass
class _Session:
    """What one mounted map has been sent (kept in ``st.session_state`` under its key)."""

    catalogue: Catalogue = field(default_factory=Catalogue)
    base_version: str | None = None
    overlays_version: str | None = None
    handled_resync: str | None = None


def _component() -> Any:
    # declared on first use, inside a script run, so it is registered with the running app
    if not _declared:
        _declared.append(components.declare_component("livemap", path=str(FRONTEND_DIR)))
    return _declared[0]


def live_map(
    base: MapBase,
    sites: pd.DataFrame,
    *,
    key: str,
    uploads: pd.DataFrame | None = None,
    fit: bool = True,
    selected_ids: Iterable[str] = (),
    view: Mapping[str, Any] | None = None,
    overlays: Sequence[Overlay] = (),
    height: int = 640,
    cluster: bool | Literal["auto"] = "auto",
    report_view: bool = True,
) -> MapEvent | None:
    """Draw ``sites`` on a Leaflet map that is built once and updated in place.

    Parameters
    ----------
    base
        Boundaries, palette and labels (:func:`mapping.livemap.build_base`); sent to the browser
        once per session and version.
    sites
        The selected sites: ``site_id``, ``name``, ``kind``, ``capabilities`` (a list, main
        first, or a ``;``-joined string), ``lat``/``lon`` (or a point geometry in EPSG:4326)
        and optionally ``status``, ``opened`` and ``closes``.
    key
        The component's key. Keep it stable: the map is built once per key and session.
    uploads
        Sites a user uploaded (same columns), drawn with a dashed magenta ring and counted
        apart in the legend.
    fit
        Fit the view to the sites when the selection changes ("fit to selection"); False keeps
        the reader's view ("keep my view").
    selected_ids
        Sites to highlight (for example the rows chosen in the sites table). When they change,
        the view fits them, unless they are the one site just clicked on the map.
    view
        The initial view, ``{"center": [lat, lon], "zoom": z}`` (for example from the URL);
        used when the map is built, then the reader's pan and zoom take over.
    overlays
        Shapes drawn under the sites, such as the Defence Belt
        (:func:`mapping.livemap.overlay`); sent again only when they change.
    height
        The map's height in pixels.
    cluster
        Group nearby sites into clusters: True, False, or ``"auto"`` (above
        :data:`CLUSTER_ABOVE` shown sites).
    report_view
        Report the view after each pan or zoom (each report reruns the script); False reports
        clicks only.

    Returns
    -------
    MapEvent or None
        The map's last report (None until it has sent one): the view and the last site clicked.
    """
    initial_view = _checked_view(view)
    if height < 100:
        raise ValueError(f"height must be at least 100 pixels, got {height!r}")
    if cluster not in (True, False, "auto"):
        raise ValueError(f"cluster must be True, False or 'auto', got {cluster!r}")
    raw = st.session_state.get(key)
    reported = raw if isinstance(raw, dict) else {}
    session = _session(key, reported)
    args = render_args(
        session,
        base,
        sites,
        uploads=uploads,
        fit=fit,
        selected_ids=selected_ids,
        view=initial_view,
        overlays=overlays,
        height=height,
        cluster=cluster,
        report_view=report_view,
    )
    value = _component()(**args, key=key, default=None)
    # only now has the render reached the queue to the browser (a rerun can stop it before)
    session.catalogue.sent = args["from"] + args["rowCount"]
    session.base_version = args["baseVersion"]
    session.overlays_version = args["overlaysVersion"]
    if not isinstance(value, dict):
        return None
    return MapEvent(
        view=value.get("view"),
        clicked=value.get("clicked"),
        clicks=int(value.get("clicks") or 0),
    )


def _session(key: str, reported: Mapping[str, Any]) -> _Session:
    name = _STATE_PREFIX + key
    session = st.session_state.get(name)
    if not isinstance(session, _Session):
        session = st.session_state[name] = _Session()
    resync = reported.get("resync")
    if resync and resync != session.handled_resync:
        session.handled_resync = str(resync)
        catch_up(session, reported.get("have"))
    return session


def catch_up(session: _Session, have: object) -> None:
    """Make the next render send what the frame says it lacks.

    A frame asks ("resync") when a render did not reach it (Streamlit sent a newer one first)
    or when it was mounted again; ``have`` is what it holds: its catalogue ``session`` and
    number of ``rows``, and its ``base`` and ``overlays`` versions.
    """
    held = have if isinstance(have, Mapping) else {}
    catalogue = session.catalogue
    rows = held.get("rows")
    same_catalogue = held.get("session") == catalogue.session
    count = rows if isinstance(rows, int) and not isinstance(rows, bool) and rows >= 0 else 0
    catalogue.sent = min(catalogue.sent, count) if same_catalogue else 0
    base, overlays = held.get("base"), held.get("overlays")
    session.base_version = base if isinstance(base, str) else None
    session.overlays_version = overlays if isinstance(overlays, str) else None


def render_args(
    session: _Session,
    base: MapBase,
    sites: pd.DataFrame,
    *,
    uploads: pd.DataFrame | None = None,
    fit: bool,
    selected_ids: Iterable[str],
    view: dict[str, Any] | None,
    height: int,
    overlays: Sequence[Overlay] = (),
    cluster: bool | Literal["auto"],
    report_view: bool,
) -> dict[str, Any]:
    """Return the arguments of one render, sending only what this map lacks.

    Adds new rows to the session's catalogue but does not mark them sent: the caller does, once
    the render is queued. The browser asks for everything again if one is lost on the way.
    """
    catalogue = session.catalogue
    shown = catalogue.encode(sites)
    if uploads is not None and not uploads.empty:
        shown += catalogue.encode(uploads, uploaded=True)
    start, rows = catalogue.sent, catalogue.rows[catalogue.sent :]
    wanted = {str(site_id) for site_id in selected_ids}
    selected = sorted({i for i in shown if catalogue.rows[i][0] in wanted})
    send_base = session.base_version != base.version
    overlays_version, overlays_data = overlays_payload(overlays)
    send_overlays = session.overlays_version != overlays_version
    clustered = len(shown) > CLUSTER_ABOVE if cluster == "auto" else bool(cluster)
    args: dict[str, Any] = {
        "height": height,
        "baseVersion": base.version,
        "session": catalogue.session,
        "from": start,
        # rows and base travel as bytes of compact JSON (Streamlit's JSON adds spaces); the
        # counts stay in the JSON arguments, whose change is what makes the frame render
        "rows": payload_json(rows),
        "rowCount": len(rows),
        "baseSent": send_base,
        "overlaysVersion": overlays_version,
        "overlaysSent": send_overlays,
        "statuses": catalogue.statuses,
        "show": show_mask(shown, len(catalogue.rows)),
        "selected": selected,
        "fit": bool(fit),
        "view": view,
        "cluster": clustered,
        "reportView": bool(report_view),
    }
    if send_base:
        args["base"] = base.data
    if send_overlays:
        args["overlays"] = overlays_data
    return args


def _checked_view(view: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Return ``view`` as ``{"center": [lat, lon], "zoom": z}``, or raise saying what is wrong."""
    if view is None:
        return None
    try:
        lat, lon = (float(v) for v in view["center"])
        zoom = float(view["zoom"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"view must be {{'center': [lat, lon], 'zoom': z}}, got {dict(view)!r}"
        ) from exc
    if not all(math.isfinite(v) for v in (lat, lon, zoom)):
        raise ValueError(f"view holds a value that is not a finite number: {dict(view)!r}")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= zoom <= 22):
        raise ValueError(
            f"view {dict(view)!r} is out of range: lat -90..90, lon -180..180, zoom 0..22"
        )
    return {"center": [lat, lon], "zoom": zoom}

"""``live_map``: the Streamlit component that keeps one Leaflet map and updates it in place.

A Streamlit Components v2 component (``st.components.v2.component``): the map is part of the
app's page, with no iframe. The frontend (``frontend/``: plain HTML, JavaScript and CSS, no
build step) is one JavaScript module, made from the drawing files and ``livemap.js``
(:data:`FRONTEND_SCRIPTS`); it loads Leaflet from the project's local assets
(``/app/static/vendor``, see :mod:`mapping.assets`). Python sends, per rerun:

- the base (:class:`~mapping.livemap.base.MapBase`) only when this map has not received its
  version;
- only the site rows this map has never received (:class:`~mapping.livemap.rows.Catalogue`),
  and which rows to show as a bit mask;
- the options: fit to the selection, highlighted sites, an initial view.

The browser builds the map once and answers through the component's state: ``view``, and
two reports that carry a token so that Python handles each once (``click``: a site opened;
``resync``: what the map lacks). They are state values, not triggers: Streamlit keeps only the
last trigger of the reruns asked for during one run, so a click could be lost. A presenter's
clicker key is a trigger (``key``), as a key pressed twice during one run is one step anyway.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypedDict

import pandas as pd
import streamlit as st
import xyzservices

from mapping.assets import SERVED_URL
from mapping.livemap.base import MapBase
from mapping.livemap.overlays import Overlay, overlays_payload
from mapping.livemap.reports import unhandled
from mapping.livemap.rows import Catalogue, payload_json, show_mask

FRONTEND_DIR: Path = Path(__file__).parent / "frontend"
#: The module's files, in order: the drawing modules register their factories on the bundle's
#: ``LiveMap`` object, and ``livemap.js`` (the default export) uses them.
FRONTEND_SCRIPTS: tuple[str, ...] = (
    "dom.js",
    "sites.js",
    "legend.js",
    "keyboard.js",
    "registers.js",
    "livemap.js",
)
#: The component's name (unique in the app).
COMPONENT_NAME = "mdm_livemap"
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
    #: A presenter's clicker key pressed in this run ("next" or "previous"), else None.
    scene_key: str | None


@dataclass
class _Session:
    """What one mounted map has been sent (kept in ``st.session_state`` under its key)."""

    catalogue: Catalogue = field(default_factory=Catalogue)
    base_version: str | None = None
    overlays_version: str | None = None
    handled_resync: str | None = None
    handled_click: str | None = None
    clicked: str | None = None
    clicks: int = 0


def frontend_module() -> str:
    """Return the component's JavaScript: one ES module made of :data:`FRONTEND_SCRIPTS`."""
    parts = ["const LiveMap = {};"]
    for name in FRONTEND_SCRIPTS:
        parts.append(f"// ---- {name}\n" + (FRONTEND_DIR / name).read_text(encoding="utf-8"))
    return "\n".join(parts)


def frontend_css() -> str:
    """Return the component's styles: ``livemap.css``, the heat's place, presenter text."""
    return (
        (FRONTEND_DIR / "livemap.css").read_text(encoding="utf-8")
        + (FRONTEND_DIR / "registers.css").read_text(encoding="utf-8")
        + _ENGINE_CSS
    )


#: The density heat under the sites and areas of its pane (leaflet.heat draws into Leaflet's
#: overlay pane, after them); presenter mode: text that reads from the back of a room.
_ENGINE_CSS = """
.mdm-main .leaflet-heatmap-layer { z-index: -1; opacity: 0.8; }
.mdm-large { font-size: 18px; }
.mdm-large .mdm-legend {
  font-size: 18px; max-width: 380px; max-height: calc(var(--mdm-map-height, 600px) - 90px);
}
.mdm-large .mdm-credits { display: none; }
.mdm-large .mdm-legend summary { font-size: 20px; }
.mdm-large .mdm-legend h2 { font-size: 18px; }
.mdm-large .mdm-nav { font-size: 16px; }
.mdm-large .mdm-popup h2 { font-size: 22px; }
.mdm-large .leaflet-tooltip { font-size: 18px; }
"""


def _component() -> Any:
    # registered on first use, inside a script run, so it is known to the running app
    if not _declared:
        _declared.append(
            st.components.v2.component(
                COMPONENT_NAME,
                html=(FRONTEND_DIR / "index.html").read_text(encoding="utf-8"),
                css=frontend_css(),
                js=frontend_module(),
                # the map is part of the page (its styles are scoped by class), so tests, axe
                # and the page's own keys reach it as they reach any element
                isolate_styles=False,
            )
        )
    return _declared[0]


def _ignore() -> None:
    """Do nothing: the component's values are read from what the mount returns."""


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
    height: int | str = 640,
    reserve_below: int = 0,
    cluster: bool | Literal["auto"] = "auto",
    report_view: bool = True,
    place: Mapping[str, Any] | None = None,
    tiles: Mapping[str, str] | None = None,
    heat: Sequence[Sequence[float]] | None = None,
    large: bool = False,
    scene_keys: bool = False,
    primary: bool = True,
    label: str = "Map of Midlands defence sites",
    registers: Mapping[str, Any] | None = None,
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
        The map's height: pixels, a CSS length such as ``"60vh"``, or ``"fill"``: from the
        map's top to the bottom of the window, less ``reserve_below`` pixels (kept as the
        window is resized).
    reserve_below
        With ``height="fill"``: the room kept under the map (pixels).
    cluster
        Group nearby sites into clusters: True, False, or ``"auto"`` (above
        :data:`CLUSTER_ABOVE` shown sites).
    report_view
        Report the view after each pan or zoom (each report reruns the script); False reports
        clicks only.
    place
        A named view the map takes each time its ``key`` changes (a presenter's scene):
        ``{"key": k, "bounds": [[s, w], [n, e]]}`` (fitted, up to ``maxZoom``) or
        ``{"key": k, "center": [lat, lon], "zoom": z}``.
    tiles
        Light tiles under the areas, ``{"url": template, "attribution": text}`` (only online).
    heat
        The density heat's points ``[lat, lon, weight]`` (leaflet.heat); None for none.
    large
        Larger text for a room (presenter mode).
    scene_keys
        Listen on the whole page for a clicker's keys (arrows, PageUp/PageDown, space): each
        one is reported as ``scene_key`` ("next" or "previous"), wherever the focus is.
    primary
        The page's main map: reachable as ``window.map`` and ``window.livemap`` for tests and
        tools (every map is in ``window.livemaps[key]``).
    label
        The map's name for screen readers (each map on a page needs its own).
    registers
        The official registers' layers and toggles (:func:`mapping.livemap.registers.render_arg`).

    Returns
    -------
    MapEvent or None
        The map's report (None until it has sent one): the view, the last site clicked and
        the clicker key pressed in this run.
    """
    initial_view = _checked_view(view)
    if isinstance(height, int) and height < 100:
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
    args.update(
        key=key,
        primary=bool(primary),
        assets=assets_root(),
        place=dict(place) if place else None,
        tiles=dict(tiles) if tiles else None,
        heat=_heat_payload(heat),
        large=bool(large),
        markerScale=1.6 if large else 1.0,
        reserveBelow=int(reserve_below),
        sceneKeys=bool(scene_keys),
        label=str(label),
        registers=dict(registers) if registers else None,
    )
    result = _component()(
        key=key,
        data=args,
        height="content",
        on_view_change=_ignore,
        on_click_change=_ignore,
        on_resync_change=_ignore,
        on_key_change=_ignore,
    )
    # only now has the render reached the queue to the browser (a rerun can stop it before)
    session.catalogue.sent = args["from"] + args["rowCount"]
    session.base_version = args["baseVersion"]
    session.overlays_version = args["overlaysVersion"]
    record_click(session, result.get("click"))
    step = result.get("key")
    view_now = result.get("view")
    if view_now is None and session.clicks == 0 and step is None:
        return None
    return MapEvent(
        view=view_now if isinstance(view_now, dict) else None,  # type: ignore[typeddict-item]
        clicked=session.clicked,
        clicks=session.clicks,
        scene_key=step if step in ("next", "previous") else None,
    )


def assets_root() -> str:
    """Return where the browser finds ``static/vendor``, under the server's base path."""
    prefix = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return ("/" + prefix if prefix else "") + SERVED_URL + "/"


def light_tiles() -> dict[str, str]:
    """Return the light grey tiles (Esri's canvas, as folium names them): URL and credit."""
    provider = xyzservices.providers.Esri.WorldGrayCanvas
    return {"url": provider.build_url(), "attribution": str(provider.attribution)}


def _heat_payload(heat: Sequence[Sequence[float]] | None) -> dict[str, Any] | None:
    if heat is None:
        return None
    points = [[round(float(v), 5) for v in point[:3]] for point in heat]
    text = json.dumps(points, separators=(",", ":"))
    return {"key": hashlib.sha256(text.encode()).hexdigest()[:12], "points": points}


def _session(key: str, reported: Mapping[str, Any]) -> _Session:
    name = _STATE_PREFIX + key
    session = st.session_state.get(name)
    if not isinstance(session, _Session):
        session = st.session_state[name] = _Session()
    resync = unhandled(reported.get("resync"), session.handled_resync)
    if resync is not None:
        session.handled_resync = resync["token"]
        catch_up(session, resync.get("have"))
    return session


def record_click(session: _Session, click: object) -> None:
    """Count a site opened on the map, once per report (``{"site": id, "token": t}``).

    The report stays in the component's state after it was handled, so a token already seen
    is the same click, not a new one.
    """
    report = unhandled(click, session.handled_click)
    if report is not None and isinstance(report.get("site"), str):
        session.handled_click = report["token"]
        session.clicked = report["site"]
        session.clicks += 1


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
    height: int | str,
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
        # rows, base and overlays travel as compact JSON text (Streamlit's JSON adds spaces)
        "rows": payload_json(rows).decode(),
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
        args["base"] = base.data.decode()
    if send_overlays:
        args["overlays"] = overlays_data.decode()
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

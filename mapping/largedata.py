"""The sites of a folium page, drawn by the live map's own scripts.

The standalone page, the embed and every folium map draw their sites, legend and keyboard route
with the same JavaScript as the live map (``mapping/livemap/frontend``: ``sites.js``,
``legend.js``, ``keyboard.js`` and ``dom.js``), inlined into the page from those files: one
source for each drawing rule. :class:`FastSites` sends each site as the live map's compact row
(:class:`mapping.livemap.rows.Catalogue`), with the same base tables (palette, shapes, labels,
precisions: :func:`mapping.livemap.base.legend_tables`), and a few lines of glue hand them to
those scripts. Every string reaches the page as JSON data and becomes text with
``textContent``; nothing from the data is markup.

Every folium map draws its sites this way, whatever their number; there is no second kind of
marker. Up to :data:`LARGE_DATA_THRESHOLD` sites, each row also carries its popup's details
(organisation, town, district, other capabilities, source). Above it, the popups show the row
only (the layer is named "Sites (N, fast mode)" and a note says so), which keeps a 100,000-site
page light.

The threshold comes from a sweep in headless Chromium on the project's 2-core machine (no GPU;
``python -m benchmarks.run``, see ``benchmarks/RESULTS.md``), made when small selections were
still drawn as one DivIcon marker per site: those stayed comfortable up to 1,500 sites; the
default, 1,000, keeps a third in hand for slower laptops and projectors, and now bounds the
popup details a page carries.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from layers import vocabulary
from layers.boundaries import DEFAULT_MAP_LAYERS
from mapping import style

#: Above this many sites the popups carry the row only (fast mode).
LARGE_DATA_THRESHOLD: int = 1000
#: Above this many sites a page clusters nearby sites (when leaflet.markercluster is there).
CLUSTER_ABOVE: int = 300
#: The live map's scripts and styles: the one source of the marker, legend and keyboard rules.
FRONTEND_DIR: Path = Path(__file__).parent / "livemap" / "frontend"
#: The shared scripts, in the order they load (dom.js first: the others use it).
SHARED_SCRIPTS: tuple[str, ...] = ("dom.js", "sites.js", "legend.js", "keyboard.js")
SHARED_STYLES: tuple[str, ...] = ("livemap.css",)
_MARKERCLUSTER = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0"

_TEMPLATE = Template("""
{% macro header(this, kwargs) %}{% if this.first %}
{% for css in this.styles %}<style>{{ css }}</style>
{% endfor %}<style>
.mdm-fast-note { font-size: 12px; max-width: 320px; }
</style><script>var LiveMap = window.LiveMap || {};</script>
{% for code in this.scripts %}<script>{{ code }}</script>
{% endfor %}{% endif %}{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var map = {{ this._parent.get_name() }};
  var data = {{ this.payload }};
  var shared = map.mdmSites;
  if (!shared) {
    if (!map.getPane("mdm-highlight")) { map.createPane("mdm-highlight").style.zIndex = 640; }
    // the map's own canvas, so the areas under the sites keep their hover names
    var probe = L.circleMarker([0, 0]);
    var renderer = map.options.preferCanvas ? map.getRenderer(probe) : L.canvas({padding: 0.3});
    var sites = LiveMap.Sites(L, map, renderer);
    var open = function (i) { sites.openPopup(i); };
    var legend = LiveMap.Legend(L, map);
    if (data.large) {
      // the projector's legend: the page's larger type (mapping.legend's .mdm-legend.large)
      map.getContainer().querySelectorAll(".mdm-legend").forEach(function (box) {
        box.classList.add("large");
      });
    }
    sites.setTables(data.tables);
    legend.setBase(Object.assign({}, data.tables, {layers: data.boundaries, attributions: []}));
    legend.setOverlays(data.overlays);
    sites.onClick(open);
    shared = map.mdmSites = {sites: sites, legend: legend, size: 0, statuses: [],
      cluster: false, keyboard: LiveMap.Keyboard(L, map, sites, open)};
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { map.closePopup(); }
    });
    window.livemap = {map: map, sites: sites, keyboard: shared.keyboard};
  }
  // this layer's rows join the map's one catalogue (their status indexes move past those held)
  var offset = shared.statuses.length;
  var rows = data.rows.map(function (row) {
    var copy = row.slice();
    copy[{{ this.status_field }}] += offset;
    return copy;
  });
  shared.statuses = shared.statuses.concat(data.statuses);
  shared.sites.receive("page", shared.size, rows, shared.statuses, data.details);
  shared.size += rows.length;
  shared.cluster = shared.cluster || data.cluster;
  shared.sites.showAll(shared.cluster);
  shared.legend.update(shared.sites.counts());
  shared.keyboard.reset();
  if (data.note) {
    var note = L.control({position: "bottomleft"});
    note.onAdd = function () { return LiveMap.Element("div", "mdm-box mdm-fast-note", data.note); };
    note.addTo(map);
  }
  return shared.sites.layer;
})();
{% endmacro %}
""")


def use_fast_mode(count: int, *, threshold: int | None = None) -> bool:
    """Say whether ``count`` sites are drawn in fast mode (more than the threshold)."""
    limit = LARGE_DATA_THRESHOLD if threshold is None else threshold
    if limit < 0:
        raise ValueError(f"large_data_threshold must be 0 or more sites, got {limit!r}")
    return count > limit


def is_fast(count: int, threshold: int) -> bool:
    """Say whether a page's popups carry the row only (fast mode).

    That is above ``threshold`` sites and above :data:`LARGE_DATA_THRESHOLD`: a map may draw
    its sites on the canvas earlier, with their details.
    """
    return use_fast_mode(count, threshold=threshold) and count > LARGE_DATA_THRESHOLD


def layer_name(count: int) -> str:
    """Return the layer control's name for ``count`` sites in fast mode."""
    return f"Sites ({count:,}, fast mode)"


class FastSites(JSCSSMixin, Layer):
    """A folium page's sites, drawn by the live map's scripts, with its legend and keyboard list.

    Several on one map (the registry's sites, then the uploaded ones) share one layer, one
    legend and one keyboard list; only the first is named in the layer control.

    Parameters
    ----------
    sites
        The sites (EPSG:4326): ``site_id`` (optional), ``name``, ``kind``, ``capabilities``
        (lists, main first), ``lat``/``lon`` or a point geometry, and optionally ``status``,
        ``opened``, ``closes``, ``location_precision``, ``colour_capability``, ``organisation``,
        ``town``, ``lad_name`` and ``source_url``.
    name
        The layer control's name (default: "Sites (N)", or "Sites (N, fast mode)").
    threshold
        Above this many sites, and above :data:`LARGE_DATA_THRESHOLD`, the popups carry the row
        only (fast mode), and a note says so.
    show
        Whether the layer is on when the map opens.
    uploaded
        The sites come from a user's file: ringed, counted apart (default: a name that starts
        "Your uploaded").
    cluster
        Cluster nearby sites (default: above :data:`CLUSTER_ABOVE` sites).
    large_legend
        Draw the legend in the projector's larger type (read from the map's first layer).
    """

    _template = _TEMPLATE
    #: The layer brings the legend and the keyboard route (read by mapping.legend).
    draws_legend = True

    def __init__(
        self,
        sites: gpd.GeoDataFrame | pd.DataFrame,
        *,
        name: str | None = None,
        threshold: int = LARGE_DATA_THRESHOLD,
        show: bool = True,
        uploaded: bool | None = None,
        cluster: bool | None = None,
        large_legend: bool = False,
    ) -> None:
        fast = is_fast(len(sites), threshold)
        if uploaded is None:
            uploaded = bool(name and name.startswith("Your uploaded"))
        if name and not fast:
            name = name.replace(", fast mode)", ")")
        label = name or (layer_name(len(sites)) if fast else f"Sites ({len(sites):,})")
        super().__init__(name=label, overlay=True, control=not uploaded, show=show)
        self._name = "FastSites"
        # clustering, when asked for, comes from leaflet.markercluster (local copies: assets)
        self.default_js = [("markerclusterjs", f"{_MARKERCLUSTER}/leaflet.markercluster.js")]
        self.default_css = [
            ("markerclustercss", f"{_MARKERCLUSTER}/MarkerCluster.css"),
            ("markerclusterdefaultcss", f"{_MARKERCLUSTER}/MarkerCluster.Default.css"),
        ]
        self.count = len(sites)
        self.uploaded = uploaded
        self.first = True
        self.styles = [_read(name) for name in SHARED_STYLES]
        self.scripts = [_read(name).replace("</script", "<\\/script") for name in SHARED_SCRIPTS]
        self.status_field = ROW_STATUS
        self._data = compact_payload(
            sites,
            threshold=threshold,
            uploaded=uploaded,
            cluster=len(sites) > CLUSTER_ABOVE if cluster is None else cluster,
        )
        self._data["large"] = bool(large_legend)
        self.payload = script_json(self._data)

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Render; the first sites layer of a map brings the scripts and names the overlays."""
        parent = self._parent
        if parent is None:
            raise RuntimeError("add the sites layer to a folium map before rendering it")
        siblings = [c for c in parent._children.values() if isinstance(c, FastSites)]
        self.first = siblings[0] is self
        if self.first:
            self._data["overlays"] = overlays_on(parent)
        self.payload = script_json(self._data)
        super().render(**kwargs)


#: Index of a row's status field (the glue shifts it when a second layer joins).
ROW_STATUS: int = 5


@cache
def _read(name: str) -> str:
    return (FRONTEND_DIR / name).read_text(encoding="utf-8")


def shared_sources() -> dict[str, str]:
    """Return the live map's shared scripts and styles by file name, as pages inline them."""
    return {name: _read(name) for name in (*SHARED_SCRIPTS, *SHARED_STYLES)}


#: Overlay names the folium map used before :data:`mapping.style.OVERLAYS` (read as theirs).
_OLD_NAMES: dict[str, str] = {"Clusters": "clusters"}


def overlays_on(fmap: Any) -> list[dict[str, Any]]:
    """Return the legend's overlay entries (label and style) for the overlays drawn on a map.

    An overlay is known by its layer name, from :data:`mapping.style.OVERLAYS`.
    """
    by_label = {label: key for key, (label, _) in style.OVERLAYS.items()} | _OLD_NAMES
    found = []
    for child in fmap._children.values():
        key = by_label.get(getattr(child, "layer_name", ""))
        if key and style.overlay_style(key):
            found.append({"label": style.overlay_label(key), "style": style.overlay_style(key)})
    return found


def compact_payload(
    sites: gpd.GeoDataFrame | pd.DataFrame,
    *,
    threshold: int = LARGE_DATA_THRESHOLD,
    uploaded: bool = False,
    cluster: bool = False,
) -> dict[str, Any]:
    """Return what the page's glue hands to the shared scripts.

    Returns
    -------
    dict
        ``rows`` and ``statuses`` (the live map's rows, :mod:`mapping.livemap.rows`), the base
        ``tables`` (:func:`mapping.livemap.base.legend_tables`), the ``boundaries`` named in the
        legend, ``details`` (one dict per row, or None in fast mode), ``cluster`` and ``note``.
        Strings are plain text: the scripts set them with ``textContent``.
    """
    from mapping.livemap.base import legend_tables  # noqa: PLC0415 (base imports sitemap)
    from mapping.livemap.rows import Catalogue, plain_name  # noqa: PLC0415

    frame = (
        sites if "site_id" in sites else sites.assign(site_id=[f"s{i}" for i in range(len(sites))])
    )
    catalogue = Catalogue(session="page")
    indexes = catalogue.encode(frame, uploaded=uploaded)
    fast = is_fast(len(sites), threshold)
    count = len(sites)
    tables = legend_tables()
    return {
        "rows": [list(catalogue.rows[i]) for i in indexes],
        "statuses": catalogue.statuses,
        "tables": tables,
        "boundaries": [
            {"label": tables["boundaryStyles"][name]["label"], "style": style.BOUNDARY_STYLES[name]}
            for name in DEFAULT_MAP_LAYERS
            if name in tables["boundaryStyles"]
        ],
        "details": None if fast else _details(frame, plain_name),
        "cluster": bool(cluster),
        "overlays": [],
        "note": (
            f"Fast mode: {count:,} sites (more than {threshold:,}) drawn on a canvas. Hover for a "
            "name; click for kind, capability and status. The sites table has the rest."
            if fast
            else ""
        ),
    }


def _details(sites: pd.DataFrame, clean: Any) -> list[dict[str, str]]:
    """Return each site's popup details as plain text (an http(s) source only)."""
    records = sites.drop(columns="geometry", errors="ignore").to_dict("records")
    details = []
    for site in records:
        caps = site.get("capabilities")
        listed = (
            caps.split(";") if isinstance(caps, str) else list(caps if caps is not None else [])
        )
        source = str(site.get("source_url") or "").strip()
        details.append(
            {
                "organisation": clean(site.get("organisation") or "", limit=120),
                "town": clean(site.get("town") or "", limit=80),
                "district": clean(site.get("lad_name") or "", limit=80),
                "capabilities": ", ".join(vocabulary.capability_label(c) for c in listed[1:]),
                "source": source if vocabulary.is_http_url(source) else "",
            }
        )
    return details


def script_json(value: object) -> str:
    r"""Return ``value`` as compact JSON that is safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` (which could close the script or open a tag) and ``{`` (branca
    compiles a page's scripts as Jinja templates, where ``{{``, ``{%`` and ``{#`` act) are
    written as JSON escapes wherever they occur in a string, with the line separators
    JavaScript once refused, and ``$`` and the backtick, so no text from data reads as a
    template literal's interpolation anywhere in the page. The parsed value is unchanged.
    """
    dumped = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for character in ("<", ">", "&", "$", "`", "\u2028", "\u2029"):
        dumped = dumped.replace(character, f"\\u{ord(character):04x}")
    # in compact JSON a brace outside a string is followed by '"', '}', ']' or ',' only
    return _JINJA_OPENERS.sub("\\\\u007b", dumped)


_JINJA_OPENERS = re.compile(r"\{(?=[{%#])")

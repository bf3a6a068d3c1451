"""Fast mode: many sites drawn on a canvas from compact arrays instead of one marker each.

A folium marker costs about 1.5 KB of page (its icon, tooltip and popup HTML) and one DOM
element in the browser. Above :data:`LARGE_DATA_THRESHOLD` sites the map switches to this
layer: every site is one row of a JSON array, ``[lat, lon, colour, kind, capabilities, district,
name]``, about 80 bytes, and the browser draws each as its kind's shape in its main capability's
colour on Leaflet's canvas renderer (the map's own, so boundary tooltips keep working). One
shared tooltip shows the hovered site's name; a popup is built on click from the same row.

Every string is escaped in Python (:func:`mapping.popups.text`) before it reaches the page: the
script only joins escaped strings with fixed markup, and binds events through Leaflet, never
through inline handlers. The switch is visible: the layer is named "Sites (N, fast mode)" and a
note says what fast mode shows.

The threshold comes from a sweep in headless Chromium on the project's 2-core machine (no GPU;
``python -m benchmarks.run``, see ``benchmarks/RESULTS.md``): one DivIcon marker per site
stayed comfortable (first draw within 1 s, a zoom step within 100 ms) up to 1,500 sites (0.75 s,
64 ms) and was not at 2,000 (1.4 s, 265 ms). The default, 1,000, keeps a third in hand for
slower laptops and projectors; markers also cost about 2.5 KB of page each, against about 70
bytes here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import geopandas as gpd
import pandas as pd
from folium.map import Layer
from folium.template import Template

from layers import vocabulary
from mapping import style
from mapping.popups import text

#: Above this many sites the map draws them in fast mode (measured: see the module docstring).
LARGE_DATA_THRESHOLD: int = 1000
#: Coordinates are written with this many decimals (about a metre).
COORDINATE_DECIMALS: int = 5
#: Shape size (pixels from centre to corner) of a site in fast mode.
MARKER_RADIUS: int = 6

# Row layout, shared by Python and the script below.
_LAT, _LON, _COLOUR, _KIND, _CAPS, _DISTRICT, _NAME = range(7)

_TEMPLATE = Template("""
{% macro header(this, kwargs) %}<style>
.mdm-fast-note { background: rgba(255,255,255,0.95); border-radius: 6px; padding: 4px 8px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); font: 12px/1.3 "Helvetica Neue", Arial, sans-serif;
  color: #1a1a1a; max-width: 320px; }
.mdm-fast-note b { font-weight: 700; }
</style>{% endmacro %}
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var map = {{ this._parent.get_name() }};
  var data = {{ this.payload }};
  var group = L.featureGroup();
  var shapes = data.shapes;
  // Each site is a circle marker (canvas hit-testing, cheap to create) drawn as its kind's
  // shape, so the legend's shapes hold in fast mode too.
  var Site = L.CircleMarker.extend({
    _updatePath: function () {
      var renderer = this._renderer;
      var corners = shapes[this.options.kind];
      if (!renderer._ctx || !corners) {
        return L.CircleMarker.prototype._updatePath.call(this);
      }
      if (!renderer._drawing || this._empty()) { return; }
      var ctx = renderer._ctx, p = this._point, r = this._radius;
      ctx.beginPath();
      ctx.moveTo(p.x + corners[0][0] * r, p.y + corners[0][1] * r);
      for (var k = 1; k < corners.length; k++) {
        ctx.lineTo(p.x + corners[k][0] * r, p.y + corners[k][1] * r);
      }
      ctx.closePath();
      renderer._fillStroke(ctx, this);
    }
  });
  var rows = data.rows;
  for (var i = 0; i < rows.length; i++) {
    var row = rows[i];
    group.addLayer(new Site([row[{{ this.columns.lat }}], row[{{ this.columns.lon }}]], {
      radius: data.radius, kind: row[{{ this.columns.kind }}], row: i,
      fillColor: data.colours[row[{{ this.columns.colour }}]], fillOpacity: 0.95,
      color: "#1a1a1a", weight: 1, opacity: 1
    }));
  }
  function popupHtml(row) {
    var caps = "";
    for (var c = 0; c < data.capabilities.length; c++) {
      if (row[{{ this.columns.caps }}] & (1 << c)) {
        caps += "<li>" + data.capabilities[c] + "</li>";
      }
    }
    var district = data.districts[row[{{ this.columns.district }}]];
    return '<div class="mdm-popup"><h4>' + row[{{ this.columns.name }}] + "</h4><table>" +
      "<tr><th>Kind</th><td>" + data.kinds[row[{{ this.columns.kind }}]] + "</td></tr>" +
      (district ? "<tr><th>District</th><td>" + district + "</td></tr>" : "") +
      '</table><div class="mdm-caps"><b>Capabilities</b><ul>' + caps + "</ul></div>" +
      "<p>" + data.more + "</p></div>";
  }
  var tooltip = L.tooltip({direction: "top", offset: [0, -data.radius]});
  group.on("mouseover", function (e) {
    var site = e.layer;
    tooltip.setLatLng(site.getLatLng()).setContent(rows[site.options.row][{{ this.columns.name }}]);
    map.openTooltip(tooltip);
  });
  group.on("mouseout", function () { map.closeTooltip(tooltip); });
  group.on("click", function (e) {
    var site = e.layer;
    L.popup({maxWidth: 360}).setLatLng(site.getLatLng())
      .setContent(popupHtml(rows[site.options.row])).openOn(map);
  });
  var note = L.control({position: "bottomleft"});
  note.onAdd = function () {
    var div = L.DomUtil.create("div", "mdm-fast-note");
    div.innerHTML = data.note;
    return div;
  };
  group.on("add", function () { note.addTo(map); });
  group.on("remove", function () { note.remove(); });
  return group;
})();
{% endmacro %}
""")


def use_fast_mode(count: int, *, threshold: int | None = None) -> bool:
    """Say whether ``count`` sites are drawn in fast mode (more than the threshold)."""
    limit = LARGE_DATA_THRESHOLD if threshold is None else threshold
    if limit < 0:
        raise ValueError(f"large_data_threshold must be 0 or more sites, got {limit!r}")
    return count > limit


def layer_name(count: int) -> str:
    """Return the layer control's name for ``count`` sites in fast mode."""
    return f"Sites ({count:,}, fast mode)"


class FastSites(Layer):
    """Sites drawn on the map's canvas from compact rows, with a tooltip and a popup on click.

    Parameters
    ----------
    sites
        The selected sites (EPSG:4326) with ``lat``, ``lon``, ``name``, ``kind``,
        ``capabilities`` (lists, main first) and ``lad_name``.
    name
        The layer control's name (default: "Sites (N, fast mode)").
    threshold
        The threshold the map switched at, named in the note.
    show
        Whether the layer is on when the map opens.
    """

    _template = _TEMPLATE

    def __init__(
        self,
        sites: gpd.GeoDataFrame | pd.DataFrame,
        *,
        name: str | None = None,
        threshold: int = LARGE_DATA_THRESHOLD,
        show: bool = True,
    ) -> None:
        super().__init__(name=name or layer_name(len(sites)), overlay=True, show=show)
        self._name = "FastSites"
        self.count = len(sites)
        self.payload = script_json(compact_payload(sites, threshold=threshold))
        self.columns = {
            "lat": _LAT,
            "lon": _LON,
            "colour": _COLOUR,
            "kind": _KIND,
            "caps": _CAPS,
            "district": _DISTRICT,
            "name": _NAME,
        }


def compact_payload(
    sites: gpd.GeoDataFrame | pd.DataFrame, *, threshold: int = LARGE_DATA_THRESHOLD
) -> dict[str, Any]:
    """Return the data fast mode sends to the browser, every string escaped.

    Returns
    -------
    dict
        ``rows`` (one ``[lat, lon, colour, kind, capabilities, district, name]`` per site:
        indexes into ``colours``, ``kinds`` and ``districts``, and a bit mask over
        ``capabilities``), the lookup tables (labels escaped), the kinds' ``shapes`` (corner
        offsets in radii; a circle where missing), the ``radius`` and the ``note`` and ``more``
        texts (escaped HTML).
    """
    capability_slugs = list(vocabulary.CAPABILITIES)
    capability_index = {slug: i for i, slug in enumerate(capability_slugs)}
    kind_slugs = list(vocabulary.KINDS)
    kind_index = {slug: i for i, slug in enumerate(kind_slugs)}
    unknown_colour = len(capability_slugs)
    districts: dict[str, int] = {}
    rows: list[list[Any]] = []
    lats = pd.to_numeric(sites["lat"]).round(COORDINATE_DECIMALS).tolist()
    lons = pd.to_numeric(sites["lon"]).round(COORDINATE_DECIMALS).tolist()
    district_names = (
        sites["lad_name"].fillna("").tolist() if "lad_name" in sites else [""] * len(sites)
    )
    for lat, lon, kind, listed, district, name in zip(
        lats,
        lons,
        sites["kind"].tolist(),
        sites["capabilities"].tolist(),
        district_names,
        sites["name"].tolist(),
        strict=True,
    ):
        caps = list(listed) if listed is not None else []
        mask = 0
        for slug in caps:
            if slug in capability_index:
                mask |= 1 << capability_index[slug]
        main = capability_index.get(vocabulary.main_capability(caps), unknown_colour)
        rows.append(
            [
                lat,
                lon,
                main,
                kind_index.get(str(kind), len(kind_slugs)),
                mask,
                districts.setdefault(str(district), len(districts)),
                text(name, limit=120),
            ]
        )
    count = len(rows)
    return {
        "rows": rows,
        "colours": [style.capability_colour(s) for s in capability_slugs] + [style.UNKNOWN_COLOUR],
        "capabilities": [text(vocabulary.CAPABILITIES[s]) for s in capability_slugs],
        "kinds": [text(vocabulary.KINDS[s]) for s in kind_slugs] + [text("Unknown kind")],
        "shapes": [kind_corners(s) for s in kind_slugs] + [None],
        "districts": [text(d) for d in districts],
        "radius": MARKER_RADIUS,
        "note": (
            f"<b>Fast mode</b>: {count:,} sites (more than {threshold:,}) drawn on a canvas. "
            "Hover for a name; click for kind, district and capabilities."
        ),
        "more": text("Fast mode: sources and descriptions are in the sites table."),
    }


def kind_corners(kind: str) -> list[list[float]] | None:
    """Return the corners of ``kind``'s marker shape as offsets in radii (None for a circle).

    The shapes are read from :data:`mapping.style.KIND_SHAPES` (a 20 x 20 SVG box, centre
    10, 10), so fast mode draws the shapes the legend shows.
    """
    shape = style.KIND_SHAPES.get(kind, "")
    if shape.startswith("<polygon"):
        found = re.search(r'points="([^"]+)"', shape)
        numbers = [float(v) for v in re.split(r"[\s,]+", found.group(1).strip())] if found else []
        corners = list(zip(numbers[::2], numbers[1::2], strict=True))
    elif shape.startswith("<rect"):
        values = {k: float(v) for k, v in re.findall(r'(\w+)="([-\d.]+)"', shape)}
        x, y, w, h = values["x"], values["y"], values["width"], values["height"]
        corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    else:
        return None
    return [[round((cx - 10) / 8.5, 2), round((cy - 10) / 8.5, 2)] for cx, cy in corners]


def script_json(value: object) -> str:
    r"""Return ``value`` as compact JSON that is safe inside a ``<script>`` element.

    Strings are already escaped HTML, so ``<`` cannot occur in them; it is still written as
    ``\u003c`` (with the line separators JavaScript once refused) in case it ever does.
    """
    dumped = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return dumped.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")

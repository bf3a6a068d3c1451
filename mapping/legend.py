"""The map's legend, title and attribution, drawn into the Leaflet map as controls.

folium has no legend of its own. These are Leaflet controls, so they stay inside the map
wherever it is shown (Streamlit's iframe, a standalone HTML file, a screenshot). Every label is
escaped; the HTML is built here from the vocabularies and palette, never from free text.
"""

from __future__ import annotations

from collections.abc import Iterable

from branca.element import MacroElement
from jinja2 import Template

from mapping import style
from mapping.credits import credit_text
from mapping.popups import text

_CSS = """
.mdm-legend, .mdm-title { background: rgba(255,255,255,0.95); border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); font: 13px/1.35 "Helvetica Neue", Arial, sans-serif;
  color: #1a1a1a; }
.mdm-legend { padding: 6px 10px; max-height: 72vh; overflow-y: auto; max-width: 290px;
  font-size: 12px; line-height: 1.25; }
.mdm-legend summary { cursor: pointer; font-weight: 700; font-size: 13px; }
.mdm-legend h3 { margin: 6px 0 2px; font-size: 1em; font-weight: 700; color: #333; }
.mdm-legend h3:first-child { margin-top: 0; }
.mdm-legend .mdm-row { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.mdm-legend .swatch { width: 12px; height: 12px; border-radius: 3px; border: 1px solid #1a1a1a;
  flex: none; }
.mdm-legend .line { width: 22px; height: 0; flex: none; }
.mdm-legend svg { flex: none; }
.mdm-legend .count { color: #555; margin-left: auto; padding-left: 8px; }
.mdm-legend.large { font-size: 17px; max-width: 420px; }
.mdm-legend.large summary { font-size: 18px; }
.mdm-title { padding: 8px 14px; }
.mdm-title h2 { margin: 0; font-size: 18px; }
.mdm-title p { margin: 2px 0 0; font-size: 13px; color: #333; }
.mdm-popup h4 { margin: 0 0 4px; font-size: 15px; }
.mdm-popup p { margin: 0 0 6px; }
.mdm-popup table { border-collapse: collapse; margin-bottom: 4px; }
.mdm-popup th { text-align: left; padding: 1px 8px 1px 0; color: #555; font-weight: 600;
  vertical-align: top; }
.mdm-popup ul { margin: 2px 0 0 16px; padding: 0; }
.leaflet-control-attribution { font-size: 10px; max-width: 70%; }
.mdm-kpis { display: grid; grid-template-columns: repeat(2, auto); gap: 2px 12px; margin-top: 6px; }
.mdm-kpis b { font-size: 15px; }
"""

_TEMPLATE = Template("""
{% macro header(this, kwargs) %}<style>{{ this.css }}
#{{ this._parent.get_name() }} { background: {{ this.background }}; }</style>{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  function control(position, className, html) {
    var box = L.control({position: position});
    box.onAdd = function () {
      var div = L.DomUtil.create("div", className);
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    box.addTo(map);
  }
  {% if this.legend_html %}control("bottomright", {{ this.legend_class|tojson }},
    "<details open><summary>Legend</summary>" + {{ this.legend_html|tojson }} + "</details>");
  {% endif %}
  {% if this.title_html %}control("topleft", "mdm-title", {{ this.title_html|tojson }});
  {% endif %}
  {% if this.attribution %}map.attributionControl.addAttribution({{ this.attribution|tojson }});
  {% endif %}
})();
{% endmacro %}
""")


class MapChrome(MacroElement):
    """Legend, optional title box and the attribution (all its lines in one) for one map."""

    _template = _TEMPLATE

    def __init__(
        self,
        *,
        legend_html: str,
        title_html: str = "",
        attributions: Iterable[str] = (),
        large: bool = False,
        background: str = style.SEA_COLOUR,
    ) -> None:
        super().__init__()
        self._name = "MapChrome"
        self.css = _CSS
        self.legend_html = legend_html
        self.legend_class = "mdm-legend large" if large else "mdm-legend"
        self.title_html = title_html
        # one attribution, its sentences joined by spaces: Leaflet puts ", " between
        # attributions, which after a full stop reads "2023., Contains"
        lines = list(attributions)
        self.attribution = text(credit_text(lines)) if lines else ""
        self.background = background

    def render(self, **kwargs: object) -> None:  # type: ignore[override]
        """Render; on a map whose sites the shared scripts draw, their legend is the legend."""
        if draws_shared_sites(self._parent):
            self.legend_html = ""
        super().render(**kwargs)


def draws_shared_sites(fmap: object) -> bool:
    """Say whether a folium map draws its sites with the live map's scripts.

    Those layers (:class:`mapping.largedata.FastSites`) say so with ``draws_legend``: they
    bring the legend (``legend.js``) and the keyboard route (``keyboard.js``), so the page's own
    are left out.
    """
    children = getattr(fmap, "_children", {})
    return any(getattr(child, "draws_legend", False) for child in children.values())


def title_html(title: str, subtitle: str = "", kpis: Iterable[tuple[str, str]] = ()) -> str:
    """Return the title box's HTML (escaped), with optional KPI pairs (value, label)."""
    figures = "".join(f"<div><b>{text(value)}</b> {text(label)}</div>" for value, label in kpis)
    return (
        f"<h2>{text(title)}</h2>"
        + (f"<p>{text(subtitle)}</p>" if subtitle else "")
        + (f'<div class="mdm-kpis">{figures}</div>' if figures else "")
    )

"""Site markers a keyboard and a screen reader can use: a name each, Enter, Space and Esc.

Leaflet already makes each marker a focusable button (``keyboard: true``) and opens its popup
on Enter, but the button has no name (axe's ``aria-command-name``), Space does nothing, focus
stays behind when the popup opens, and Esc closes the popup only while the map itself has
focus. :func:`label_site_markers` adds one small script to a folium map that

* names every site marker: site name, kind, main capability and status
  (:func:`marker_label`), and every cluster ("Group of 12 sites: press Enter to zoom in");
* opens the popup on Enter or Space and moves focus into it;
* closes it on Esc from anywhere in the map, handing focus back to the marker;
* draws a two-tone focus ring (dark outline, white halo) that shows on any background.

Names are set with ``setAttribute`` from a JSON block, so a site's name stays text.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict, deque
from collections.abc import Mapping
from typing import Any

import folium
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from layers import timeline, vocabulary
from mapping.popups import plain_text

logger = logging.getLogger(__name__)
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_JSON_ESCAPES = str.maketrans({ch: f"\\u{ord(ch):04x}" for ch in "<>&{}`$"})
#: A marker's name is read aloud: long names are cut here.
_MAX_NAME = 160

_TEMPLATE = Template("""
{% macro header(this, kwargs) %}<style>
.leaflet-marker-icon:focus { outline: none; }
.leaflet-marker-icon:focus-visible, .leaflet-popup-content:focus-visible,
.leaflet-popup-close-button:focus-visible {
  outline: 3px solid #1a1a1a; outline-offset: 1px; box-shadow: 0 0 0 7px #ffffff;
  border-radius: 3px; }
</style>{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var labels = {{ this.labels_json }};
  var byKeyboard = false, opener = null;
  function named(marker, label) {
    var icon = marker.getElement && marker.getElement();
    if (!icon) { return; }
    icon.setAttribute("aria-label", label);
    icon.setAttribute("role", "button");
    icon.tabIndex = 0;
    icon.mdmMarker = marker;
  }
  Object.keys(labels).forEach(function (key) {
    var marker = window[key];
    if (!marker || !marker.on) { return; }
    named(marker, labels[key]);
    marker.on("add", function () { named(marker, labels[key]); });
    marker.on("popupopen", function () { opener = marker; });
  });
  function group(layer) {
    if (layer.getChildCount && layer.getElement && layer.getElement()) {
      layer.getElement().setAttribute("aria-label",
        "Group of " + layer.getChildCount() + " sites: press Enter to zoom in");
    }
  }
  map.eachLayer(group);  // clusters drawn before this script ran
  map.on("layeradd", function (event) { group(event.layer); });
  var container = map.getContainer();
  container.addEventListener("keydown", function (event) {
    var icon = event.target.closest ? event.target.closest(".leaflet-marker-icon") : null;
    if ((event.key === "Enter" || event.key === " ") && icon && icon.mdmMarker) {
      byKeyboard = true;
      if (event.key === " ") {
        event.preventDefault();
        icon.mdmMarker.openPopup();
      }
    } else if (event.key === "Escape" && map._popup && map.hasLayer(map._popup)) {
      event.preventDefault();
      map.closePopup();
      var back = opener && opener.getElement && opener.getElement();
      if (back) { back.focus(); }
    }
  });
  container.addEventListener("mousedown", function () { byKeyboard = false; });
  map.on("popupopen", function (event) {
    if (!byKeyboard) { return; }
    byKeyboard = false;
    var content = event.popup.getElement().querySelector(".leaflet-popup-content");
    if (content) {
      content.tabIndex = -1;
      content.focus({preventScroll: true});
    }
  });
})();
{% endmacro %}
""")


class AccessibleSites(MacroElement):
    """The script and focus style that name a map's site markers and add the keys.

    Parameters
    ----------
    labels
        Marker variable name (``folium.Marker.get_name()``) -> its accessible name.
    """

    _template = _TEMPLATE

    def __init__(self, labels: Mapping[str, str]) -> None:
        super().__init__()
        self._name = "AccessibleSites"
        data = json.dumps(dict(labels), ensure_ascii=True)
        # Characters that act somewhere on the way become JSON escapes inside the strings:
        # "<", ">" and "&" (closing the script, opening a tag), "{" and "}" (Jinja: branca
        # compiles scripts as templates), "`" and "$" (JavaScript template literals). The only
        # braces left are the object's own, as '{"' and '"}'.
        inner = data[1:-1].translate(_JSON_ESCAPES)
        self.labels_json = "{" + inner + "}"


def marker_label(site: Mapping[str, Any]) -> str:
    """Return a site marker's accessible name: name, kind, main capability and status.

    >>> marker_label({"name": "Q Lab", "kind": "university", "capabilities": ["quantum"],
    ...               "status": "closing", "closes": "2029"})
    'Q Lab: University; main capability Quantum technologies; Closing, closes 2029'
    """
    name = _clean(site.get("name")) or "Unnamed site"
    kind = vocabulary.kind_label(_clean(site.get("kind"))) or "kind not recorded"
    main = vocabulary.main_capability(site.get("capabilities"))
    capability = vocabulary.capability_label(main) if main else "no capability listed"
    status = timeline.status_text(
        _clean(site.get("status")), _clean(site.get("opened")), _clean(site.get("closes"))
    )
    return f"{name}: {kind}; main capability {capability}; {status or 'status not recorded'}"


def label_site_markers(fmap: folium.Map, sites: pd.DataFrame) -> int:
    """Name the site markers of ``fmap`` and add the keyboard script; return how many.

    A map whose sites the live map's scripts draw (:class:`mapping.largedata.FastSites`)
    already has their keyboard route (``keyboard.js``): nothing is added, and 0 is returned.

    Each ``folium.Marker`` is matched to the site drawn at its point (sites that share a
    point are taken in the frame's order, as ``mapping.sitemap`` draws them). A marker with
    no site at its point keeps Leaflet's defaults and is logged.

    Parameters
    ----------
    fmap
        A map from :func:`mapping.sitemap.build_map`.
    sites
        The sites it was built from (``lat``, ``lon`` and the columns of
        :func:`marker_label`), uploads included.
    """
    from mapping.legend import draws_shared_sites  # noqa: PLC0415

    if draws_shared_sites(fmap):
        # the live map's keyboard route (keyboard.js) came with the sites: nothing to add
        return 0
    waiting: defaultdict[tuple[float, float], deque[Mapping[str, Any]]] = defaultdict(deque)
    for site in sites.drop(columns="geometry", errors="ignore").to_dict("records"):
        waiting[_point(site["lat"], site["lon"])].append({str(k): v for k, v in site.items()})
    labels: dict[str, str] = {}
    unmatched = 0
    for marker in _markers(fmap):
        location = marker.location or []
        queue = waiting.get(_point(*location[:2])) if len(location) >= 2 else None
        if queue:
            labels[marker.get_name()] = marker_label(queue.popleft())
        else:
            unmatched += 1
    if unmatched:
        logger.warning("%d marker(s) match no site and keep no accessible name", unmatched)
    fmap.add_child(AccessibleSites(labels))
    return len(labels)


def _markers(element: Any) -> list[folium.Marker]:
    found = [element] if isinstance(element, folium.Marker) else []
    for child in element._children.values():
        found.extend(_markers(child))
    return found


def _point(lat: object, lon: object) -> tuple[float, float]:
    return (round(float(lat), 6), round(float(lon), 6))  # type: ignore[arg-type]


def _clean(value: object) -> str:
    """Return ``value`` as plain text: no control characters or bidirectional overrides.

    The label is set with ``setAttribute`` (never parsed as markup), but a right-to-left
    override would still reorder what a reader hears and sees, as in the popups.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    raw = plain_text(value)
    return _BIDI.sub("", raw).strip()[:_MAX_NAME]

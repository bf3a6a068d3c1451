/*
 * The legend and the credits, drawn into the map as Leaflet controls. The frame (headings,
 * boundary lines) is built once per base; the counts are replaced in place on each change.
 *
 * This file is the one source of the legend: the live map loads it, and the folium pages
 * (standalone export, embed) inline it (mapping/largedata.py). Every entry's mark is drawn by
 * the marker code (LiveMap.ShapeSvg), so the legend shows what the map draws.
 */
(function () {
  "use strict";

  var element = LiveMap.Element;


  function row(mark, label, count) {
    var line = element("div", "mdm-row");
    line.appendChild(mark);
    line.appendChild(element("span", "", label));
    if (count !== undefined) { line.appendChild(element("span", "mdm-count", String(count))); }
    return line;
  }

  /**
   * Place names (towns and districts) as text on the map, each from its own zoom on, so they do
   * not crowd. A label is [name, lat, lon, minZoom, kind]; its text is set as text.
   */
  LiveMap.Places = function (L, map) {
    var pane = map.getPane("mdm-places") || map.createPane("mdm-places");
    pane.style.zIndex = 390;  // over the land, under the sites and their canvas hit-testing
    pane.style.pointerEvents = "none";
    var layer = L.layerGroup().addTo(map);
    var labels = [];

    function refresh() {
      var zoom = map.getZoom();
      labels.forEach(function (entry) {
        var wanted = zoom >= entry.zoom;
        if (wanted !== layer.hasLayer(entry.marker)) {
          if (wanted) { layer.addLayer(entry.marker); } else { layer.removeLayer(entry.marker); }
        }
      });
    }

    map.on("zoomend", refresh);
    return {
      set: function (places) {
        layer.clearLayers();
        labels = (places || []).map(function (place) {
          var text = element("span", "mdm-place mdm-place-" + place[4], place[0]);
          return {
            zoom: place[3],
            marker: L.marker([place[1], place[2]], {
              icon: L.divIcon({html: text, className: "mdm-place-label", iconSize: null}),
              pane: "mdm-places", interactive: false, keyboard: false
            })
          };
        });
        refresh();
      },
      shownCount: function () { return layer.getLayers().length; }
    };
  };

  LiveMap.Legend = function (L, map) {
    var body = element("div");
    var capabilities = element("div");
    var kinds = element("div");
    var boundaries = element("div");
    var overlays = element("div");
    var tables = null;
    var places = null;

    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      var box = element("div", "mdm-box mdm-legend");
      var details = element("details");
      // the legend starts folded at every width: open, it would hide sites behind it
      details.open = false;
      details.appendChild(element("summary", "", "Legend"));
      details.appendChild(body);
      box.appendChild(details);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    body.appendChild(element("h2", "", "Main capability (colour)"));
    body.appendChild(capabilities);
    body.appendChild(element("h2", "", "Kind of site (shape)"));
    body.appendChild(kinds);
    body.appendChild(element("h2", "", "Boundaries"));
    body.appendChild(boundaries);
    body.appendChild(overlays);
    control.addTo(map);

    var credits = L.control({position: "bottomleft"});
    var creditBox = element("div", "mdm-box mdm-credits");
    credits.onAdd = function () { return creditBox; };

    return {
      /** The place names drawn from the base (null when it has none). */
      places: function () { return places; },
      /** Build the frame from a base: its tables, boundary lines and credits. */
      setBase: function (base) {
        tables = base;
        if (base.places) {
          places = places || LiveMap.Places(L, map);
          places.set(base.places);
        }
        boundaries.replaceChildren();
        base.layers.forEach(function (layer) {
          if (layer.basemap) { return; }
          var line = element("span", "mdm-line");
          line.style.borderTop = layer.style.weight + "px " +
            (layer.style.dashArray ? "dashed " : "solid ") + layer.style.color;
          boundaries.appendChild(row(line, layer.label));
        });
        creditBox.replaceChildren();
        (base.attributions || []).forEach(function (credit) {
          creditBox.appendChild(element("div", "", credit));
        });
        // a page with its own attribution line passes none, and gets no credits box
        if (creditBox.childNodes.length) { credits.addTo(map); } else { credits.remove(); }
      },
      /** List the overlays (the belt ...) under the boundaries, each with its fill or line. */
      setOverlays: function (specs) {
        overlays.replaceChildren();
        specs.forEach(function (spec) {
          var filled = spec.style.fillColor && spec.style.fillOpacity;
          var mark = element("span", filled ? "mdm-swatch" : "mdm-line");
          if (filled) {
            mark.style.background = spec.style.fillColor;
            mark.style.borderColor = spec.style.color || "#1a1a1a";
          } else {
            mark.style.borderTop = (spec.style.weight || 2) + "px " +
              (spec.style.dashArray ? "dashed " : "solid ") + (spec.style.color || "#1a1a1a");
          }
          overlays.appendChild(row(mark, spec.label));
        });
      },
      /** Replace the counts: only what the selection holds is listed. */
      update: function (counts) {
        capabilities.replaceChildren();
        kinds.replaceChildren();
        if (!tables) { return; }
        tables.capabilities.forEach(function (label, i) {
          if (!counts.capabilities[i]) { return; }
          var swatch = element("span", "mdm-swatch");
          swatch.style.background = tables.palette[i];
          capabilities.appendChild(row(swatch, label, counts.capabilities[i]));
        });
        if (!counts.total) { capabilities.appendChild(element("div", "mdm-row", "No sites selected")); }
        tables.kinds.forEach(function (label, i) {
          if (!counts.kinds[i]) { return; }
          kinds.appendChild(row(LiveMap.ShapeSvg(tables.shapes[i], "#ffffff", 16), label,
            counts.kinds[i]));
        });
        var shape = LiveMap.ShapeSvg;
        var circle = tables.shapes[tables.shapes.length - 1];
        if (counts.closing) {
          kinds.appendChild(row(shape(circle, "#ffffff", 16, {closing: true}), "Closure announced",
            counts.closing));
        }
        if (counts.planned) {
          kinds.appendChild(row(shape(circle, "#ffffff", 16, {planned: true}),
            tables.plannedLabel || "Planned", counts.planned));
        }
        (tables.precisions || []).forEach(function (entry, i) {
          if (!entry[0] || !counts.precisions || !counts.precisions[i]) { return; }
          var line = row(shape(circle, "#ffffff", 16, {approximate: true}), entry[0],
            counts.precisions[i]);
          line.title = entry[1];
          kinds.appendChild(line);
        });
        if (counts.uploaded) {
          kinds.appendChild(row(shape(circle, "#ffffff", 16,
            {uploaded: true, uploadStroke: tables.uploadStroke}), "Your uploaded sites",
            counts.uploaded));
        }
      }
    };
  };
})();

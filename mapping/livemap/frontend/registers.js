/*
 * The official registers on the live map: registered firms (small points, clustered), defence
 * contract awards (points sized by value) and official business counts (a district
 * choropleth). A box of toggles ("Official registers") switches each on and off; each toggle
 * names its source, month and definition, and a source that is not built is a disabled toggle
 * that gives the command that builds it.
 *
 * A keyboard user reaches each firm and award point through a second keyboard route
 * (LiveMap.Keyboard, keyboard.js, with its own name): arrow keys read the switched-on layers'
 * points by name, Enter opens one's details in a popup, Escape closes it.
 *
 * Python sends the layers once per version (`apply` answers false when a version arrives
 * without its data, and the map then asks for it again). Every string from the data becomes
 * text through textContent (LiveMap.Element), never markup.
 *
 * Rows: firms [lon, lat, name, company number, core 1/0, capabilities]; awards [lon, lat,
 * supplier, buyer, value, shared value, sme 1/0/null, date, radius px].
 */
(function () {
  "use strict";

  var element = LiveMap.Element;
  /** Drawing order, bottom first: the shading under the awards, the firms on top. */
  var ORDER = ["counts", "awards", "firms"];
  /** The layers whose points the keyboard route reaches. */
  var POINTS = ["firms", "awards"];
  /** The keyboard route's words (LiveMap.Keyboard's `words`). */
  var ROUTE = {
    prefix: "mdm-reg-nav",
    title: "Firms and awards by keyboard",
    help: "Arrow keys: next or previous firm or award (the layers switched on). Home, End: " +
      "first, last. Enter: open. Escape: close.",
    idle: "No firm or award in focus",
    empty: "No firm or award is shown: switch on a layer under Official registers"
  };

  function money(value) {
    return "£" + Math.round(value).toLocaleString("en-GB");
  }

  /** The texts as lines (the first in bold when `strong`), in a tooltip's box or `className`. */
  function lines(texts, strong, className) {
    var box = element("div", className || "mdm-reg-tip");
    texts.forEach(function (text, i) {
      if (text) { box.appendChild(element(i === 0 && strong ? "strong" : "div", "", text)); }
    });
    return box;
  }

  /** The texts that describe a firm: name, company, tier, capabilities, where it is placed. */
  function firmTexts(row) {
    return [
      row[2],
      "Company " + row[3] + " · " + (row[4] ? "core" : "adjacent") + " to defence",
      row[5],
      "Registered office postcode, not necessarily the works"
    ];
  }

  function awardScale(row) {
    return row[6] === 1 ? "sme" : row[6] === 0 ? "large" : "unknown";
  }

  /** The texts that describe an award: supplier, value and scale, buyer, date. */
  function awardTexts(row) {
    var scale = awardScale(row);
    var value = row[4] !== null ? money(row[4])
      : row[5] !== null ? money(row[5]) + " shared with other suppliers (the notice does not split it)"
        : "value not stated";
    return [
      row[2],
      value + " · " + (scale === "sme" ? "SME" : scale === "large" ? "not an SME" : "scale not stated"),
      "Buyer: " + row[3],
      "Awarded " + row[7]
    ];
  }

  LiveMap.Registers = function (L, map, renderer, onDrawn) {
    var version = null;
    var layers = {};       // name -> Leaflet layer
    var counts = {};       // name -> number of points or districts held
    var inputs = {};       // name -> checkbox
    var on = {};           // name -> switched on by the reader
    var body = element("div", "mdm-reg-body");
    var points = [];       // the firms' and awards' points: {layer, name, texts, latLng}
    var reachable = [];    // indices of the points on switched-on layers
    var keyboard = null;   // the keyboard route, made with the first points
    var route = {
      shown: function () { return reachable; },
      name: function (i) { return points[i].name; },
      accessibleName: function (i) {
        var point = points[i];
        return (point.layer === "firms" ? "Firm: " : "Award: ") + point.texts.filter(Boolean).join(". ");
      },
      latLng: function (i) { return points[i].latLng; }
    };

    function openPoint(i) {
      // clear of the top-left boxes (the keyboard lists), as a site's popup opens
      L.popup(Object.assign(LiveMap.PopupOptions(map), {maxWidth: 280, className: "mdm-reg-popup"}))
        .setLatLng(points[i].latLng)
        .setContent(lines(points[i].texts, true, "mdm-reg-card"))
        .openOn(map);
    }

    function reach(name, row) {
      points.push({layer: name, name: row[2], texts: name === "firms" ? firmTexts(row) : awardTexts(row),
        latLng: L.latLng(row[1], row[0])});
    }

    var control = L.control({position: "topright"});
    control.onAdd = function () {
      var box = element("div", "mdm-box mdm-registers");
      var details = element("details");
      details.appendChild(element("summary", "", "Official registers"));
      details.appendChild(body);
      box.appendChild(details);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    var controlAdded = false;  // a map given no registers (the presenter's, the areas') has no box

    function firmsLayer(spec) {
      var group = L.markerClusterGroup ? L.markerClusterGroup({
        showCoverageOnHover: false,
        maxClusterRadius: 50,
        disableClusteringAtZoom: 15,
        iconCreateFunction: function (cluster) {
          var count = cluster.getChildCount();
          var size = count < 10 ? 24 : count < 100 ? 30 : 36;
          return L.divIcon({
            html: element("span", "", String(count)),
            className: "mdm-firm-cluster",
            iconSize: [size, size]
          });
        }
      }) : L.layerGroup();
      var markers = spec.rows.map(function (row) {
        var marker = L.marker([row[1], row[0]], {
          icon: L.divIcon({className: "mdm-firm mdm-firm-" + (row[4] ? "core" : "adjacent"), iconSize: [9, 9]}),
          keyboard: false
        });
        marker.bindTooltip(function () {
          return lines(firmTexts(row), true);
        }, {direction: "top", offset: [0, -4]});
        reach("firms", row);
        return marker;
      });
      if (group.addLayers) { group.addLayers(markers); } else { markers.forEach(function (m) { group.addLayer(m); }); }
      counts.firms = markers.length;
      return group;
    }

    function awardsLayer(spec) {
      var colours = spec.colours || {};
      var group = L.featureGroup();
      spec.rows.forEach(function (row) {
        var colour = colours[awardScale(row)] || "#555555";
        var circle = L.circleMarker([row[1], row[0]], {
          renderer: renderer, radius: row[8], color: colour, weight: 1.5,
          fillColor: colour, fillOpacity: 0.4
        });
        circle.bindTooltip(function () {
          return lines(awardTexts(row), true);
        }, {sticky: true});
        reach("awards", row);
        group.addLayer(circle);
      });
      counts.awards = spec.rows.length;
      return group;
    }

    function countsLayer(spec) {
      var layer = L.geoJSON(spec.geojson, {
        renderer: renderer,
        style: function (feature) {
          var p = feature.properties;
          return {
            color: p.suppressed ? "#525252" : "#3a3a3a", weight: 1, dashArray: p.suppressed ? "5 4" : null,
            fillColor: p.fill, fillOpacity: 0.6
          };
        },
        onEachFeature: function (feature, shape) {
          shape.bindTooltip(function () {
            return lines([feature.properties.name, "Local units: " + feature.properties.label], true);
          }, {sticky: true});
        }
      });
      counts.counts = spec.geojson.features.length;
      return layer;
    }

    var BUILD = {firms: firmsLayer, awards: awardsLayer, counts: countsLayer};

    /** Put the switched-on layers on the map in ORDER (so the shading stays under the points). */
    function draw() {
      ORDER.forEach(function (name) {
        if (layers[name] && map.hasLayer(layers[name])) { map.removeLayer(layers[name]); }
      });
      ORDER.forEach(function (name) {
        if (layers[name] && on[name]) { layers[name].addTo(map); }
      });
      reachable = [];
      points.forEach(function (point, i) {
        if (layers[point.layer] && on[point.layer]) { reachable.push(i); }
      });
      if (keyboard) { keyboard.reset(); }
      if (onDrawn) { onDrawn(); }
    }

    function legendRow(colour, text, dashed) {
      var row = element("div", "mdm-reg-key");
      var swatch = element("span", "mdm-reg-swatch" + (dashed ? " mdm-reg-dashed" : ""));
      swatch.style.background = colour;
      row.appendChild(swatch);
      row.appendChild(element("span", "", text));
      return row;
    }

    function entry(spec) {
      var item = element("div", "mdm-reg-item");
      var label = element("label", "mdm-reg-toggle");
      var input = element("input");
      input.type = "checkbox";
      input.name = "mdm-register-" + spec.name;
      input.dataset.layer = spec.name;
      input.checked = Boolean(on[spec.name]) && spec.loaded;
      input.disabled = !spec.loaded;
      label.appendChild(input);
      label.appendChild(element("span", "", spec.title));
      item.appendChild(label);
      inputs[spec.name] = input;
      if (!spec.loaded) {
        item.classList.add("mdm-reg-missing");
        item.appendChild(element("div", "mdm-reg-text", "Not loaded (" + spec.source + "). To load it, run:"));
        item.appendChild(element("code", "mdm-reg-command", spec.command));
        return item;
      }
      item.appendChild(element("div", "mdm-reg-source", spec.label));
      if (spec.note) { item.appendChild(element("div", "mdm-reg-text", spec.note)); }
      if (spec.legend) {
        spec.legend.forEach(function (pair, i) {
          item.appendChild(legendRow(pair[0], pair[1], i === spec.legend.length - 1));
        });
      }
      if (spec.colours) {
        [["sme", "SME supplier"], ["large", "not an SME"], ["unknown", "scale not stated"]].forEach(function (pair) {
          item.appendChild(legendRow(spec.colours[pair[0]], pair[1], false));
        });
      }
      item.appendChild(element("div", "mdm-reg-credit", spec.credit));
      input.addEventListener("change", function () {
        on[spec.name] = input.checked;
        draw();
      });
      return item;
    }

    function build(data) {
      if (!controlAdded) { control.addTo(map); controlAdded = true; }
      ORDER.forEach(function (name) {
        if (layers[name]) { map.removeLayer(layers[name]); }
      });
      layers = {};
      counts = {};
      inputs = {};
      points = [];
      body.replaceChildren();
      data.layers.forEach(function (spec) {
        if (spec.loaded && BUILD[spec.name]) { layers[spec.name] = BUILD[spec.name](spec); }
        body.appendChild(entry(spec));
      });
      var anyPoints = POINTS.some(function (name) { return layers[name]; });
      if (!keyboard && anyPoints) { keyboard = LiveMap.Keyboard(L, map, route, openPoint, ROUTE); }
      draw();
    }

    return {
      /** Take a render's registers ({version, data?}); false when the version came without data. */
      apply: function (spec) {
        if (!spec || spec.version === version) { return true; }
        if (!spec.data) { return false; }
        build(typeof spec.data === "string" ? JSON.parse(spec.data) : spec.data);
        version = spec.version;
        return true;
      },
      version: function () { return version; },
      /** Switch a layer on or off (as its toggle does); false when it is not loaded. */
      toggle: function (name, show) {
        var input = inputs[name];
        if (!input || input.disabled) { return false; }
        input.checked = Boolean(show);
        on[name] = input.checked;
        draw();
        return true;
      },
      /** How many points or districts a layer has on the map now (0 when off or not loaded). */
      drawn: function (name) {
        return layers[name] && map.hasLayer(layers[name]) ? layers[name].getLayers().length : 0;
      },
      /** How many points or districts a layer holds, drawn or not. */
      held: function (name) { return counts[name] || 0; },
      layer: function (name) { return layers[name] || null; },
      /** How many firm and award points the keyboard route reaches now. */
      reachable: function () { return reachable.length; }
    };
  };
})();

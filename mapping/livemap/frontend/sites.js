/*
 * Sites as data: each site is one compact row, drawn as its kind's shape in its main
 * capability's colour on Leaflet's canvas. Rows arrive once per session (a catalogue); a filter
 * change only says which rows to show. Every string from a row reaches the page through
 * textContent, never as markup.
 */
(function () {
  "use strict";

  // a row's fields, in the order mapping/livemap/rows.py writes them
  var ID = 0, LON = 1, LAT = 2, KIND = 3, CAP = 4, STATUS = 5, NAME = 6;
  var SVG = "http://www.w3.org/2000/svg";

  var element = LiveMap.Element;

  /** The catalogue rows a base64 bit mask marks as shown (null when it names a missing row). */
  function decodeMask(mask, size) {
    var bytes = window.atob(mask || ""), shown = [];
    for (var b = 0; b < bytes.length; b++) {
      var value = bytes.charCodeAt(b);
      for (var bit = 0; value && bit < 8; bit++) {
        if (value & (1 << bit)) {
          if (b * 8 + bit >= size) { return null; }
          shown.push(b * 8 + bit);
        }
      }
    }
    return shown;
  }

  /** An SVG of a kind's shape (corners in radii; a circle when there are none). */
  function shapeSvg(corners, fill, size, ringed) {
    var svg = document.createElementNS(SVG, "svg");
    var reach = ringed ? 1.6 : 1.1;
    svg.setAttribute("viewBox", [-reach, -reach, 2 * reach, 2 * reach].join(" "));
    svg.setAttribute("width", size);
    svg.setAttribute("height", size);
    svg.setAttribute("aria-hidden", "true");
    if (ringed) {
      [["#ffffff", 0.5], ["#000000", 0.24]].forEach(function (ring) {
        var circle = document.createElementNS(SVG, "circle");
        circle.setAttribute("r", "1.3");
        circle.setAttribute("fill", "none");
        circle.setAttribute("stroke", ring[0]);
        circle.setAttribute("stroke-width", ring[1]);
        svg.appendChild(circle);
      });
    }
    var shape;
    if (corners) {
      shape = document.createElementNS(SVG, "polygon");
      shape.setAttribute("points", corners.map(function (c) { return c[0] + "," + c[1]; }).join(" "));
    } else {
      shape = document.createElementNS(SVG, "circle");
      shape.setAttribute("r", "0.88");
    }
    shape.setAttribute("fill", fill);
    shape.setAttribute("stroke", "#1a1a1a");
    shape.setAttribute("stroke-width", "0.14");
    shape.setAttribute("stroke-linejoin", "round");
    svg.appendChild(shape);
    return svg;
  }

  LiveMap.ShapeSvg = shapeSvg;

  LiveMap.Sites = function (L, map, renderer) {
    var tables = null;
    var store = {session: null, rows: [], statuses: []};
    var markers = [];
    // showKey names the selection (to tell a data change); drawnKey what the layer holds
    var shown = [], showKey = null, drawnKey = null, clustered = null;
    var selected = [], selectedKey = null, highlightsStale = false;
    var onClick = function () {};

    // A circle marker (cheap, hit-tested by the canvas) that draws its kind's shape instead,
    // with a white bar across it when the site's closure is announced.
    var Shape = L.CircleMarker.extend({
      _updatePath: function () {
        var canvas = this._renderer;
        var corners = tables && tables.shapes[this.options.kind];
        if (!canvas._ctx || !corners) {
          L.CircleMarker.prototype._updatePath.call(this);
        } else if (canvas._drawing && !this._empty()) {
          var ctx = canvas._ctx, p = this._point, r = this._radius;
          ctx.beginPath();
          ctx.moveTo(p.x + corners[0][0] * r, p.y + corners[0][1] * r);
          for (var k = 1; k < corners.length; k++) {
            ctx.lineTo(p.x + corners[k][0] * r, p.y + corners[k][1] * r);
          }
          ctx.closePath();
          canvas._fillStroke(ctx, this);
        }
        if (this.options.closing && canvas._ctx && canvas._drawing && !this._empty()) {
          this._drawBar(canvas._ctx, this._point, this._radius);
        }
      },
      _drawBar: function (ctx, p, r) {
        ctx.save();
        ctx.globalAlpha = 1;
        ctx.setLineDash([]);
        ctx.lineCap = "round";
        [["#1a1a1a", r * 0.55], ["#ffffff", r * 0.28]].forEach(function (line) {
          ctx.beginPath();
          ctx.moveTo(p.x - 0.7 * r, p.y + 0.7 * r);
          ctx.lineTo(p.x + 0.7 * r, p.y - 0.7 * r);
          ctx.strokeStyle = line[0];
          ctx.lineWidth = line[1];
          ctx.stroke();
        });
        ctx.restore();
      }
    });

    var plain = L.featureGroup();
    var clusters = L.markerClusterGroup ? L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 40,
      spiderfyOnMaxZoom: true,
      disableClusteringAtZoom: 14,
      iconCreateFunction: clusterIcon
    }) : null;
    var root = L.layerGroup().addTo(map);
    var highlights = L.layerGroup().addTo(map);
    var tooltip = L.tooltip({direction: "top", offset: [0, -8], opacity: 0.95});

    // A cluster's icon says how many sites it holds, to the eye and to a screen reader; Enter
    // on a focused cluster zooms into it as a click does.
    var ClusterIcon = L.DivIcon.extend({
      createIcon: function (old) {
        var div = L.DivIcon.prototype.createIcon.call(this, old);
        div.setAttribute("aria-label", this.options.label);
        return div;
      }
    });

    function clusterIcon(cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 42 : 48;
      if (!cluster.mdmKeys) {
        cluster.mdmKeys = true;
        cluster.on("keypress", function (e) {
          if (e.originalEvent && e.originalEvent.key === "Enter") { cluster.zoomToBounds(); }
        });
      }
      return new ClusterIcon({
        html: element("span", "", String(count)),
        className: "mdm-cluster",
        iconSize: [size, size],
        label: "Cluster of " + count + " sites: Enter zooms in"
      });
    }

    function siteOf(e) {
      return e.layer && e.layer.options ? e.layer.options.site : undefined;
    }

    [plain, clusters, highlights].forEach(function (group) {
      if (!group) { return; }
      group.on("click", function (e) {
        var site = siteOf(e);
        if (site !== undefined) { onClick(site); }
      });
      group.on("mouseover", function (e) {
        var site = siteOf(e);
        if (site === undefined) { return; }
        tooltip.setLatLng(latLng(site)).setContent(element("span", "", shortName(site)));
        map.openTooltip(tooltip);
      });
      group.on("mouseout", function () { map.closeTooltip(tooltip); });
    });

    function latLng(i) {
      var row = store.rows[i];
      return [row[LAT], row[LON]];
    }

    // a status entry: [text, closing, uploaded]
    function status(i) {
      return store.statuses[store.rows[i][STATUS]] || ["", false, false];
    }

    function labels(i) {
      var row = store.rows[i];
      return {
        name: row[NAME],
        kind: tables.kinds[row[KIND]] || tables.kinds[tables.kinds.length - 1],
        capability: tables.capabilities[row[CAP]] || tables.capabilities[tables.capabilities.length - 1],
        status: status(i)[0]
      };
    }

    function shortName(i) {
      var named = labels(i);
      return status(i)[1] ? named.name + " · " + named.status : named.name;
    }

    function markerAt(i) {
      if (!markers[i]) {
        var row = store.rows[i];
        var uploaded = status(i)[2];
        markers[i] = new Shape([row[LAT], row[LON]], {
          renderer: renderer,
          radius: uploaded ? 7 : 6,
          weight: uploaded ? 2.4 : 1,
          color: uploaded ? tables.uploadStroke : "#1a1a1a",
          dashArray: uploaded ? "3 2" : null,
          opacity: 1,
          fillColor: tables.palette[row[CAP]] || tables.palette[tables.palette.length - 1],
          fillOpacity: 0.95,
          site: i,
          kind: row[KIND],
          closing: status(i)[1]
        });
      }
      return markers[i];
    }

    function highlightAt(i) {
      var row = store.rows[i];
      var colour = tables.palette[row[CAP]] || tables.palette[tables.palette.length - 1];
      return L.marker(latLng(i), {
        icon: L.divIcon({
          html: shapeSvg(tables.shapes[row[KIND]], colour, 30, true),
          className: "mdm-selected",
          iconSize: [30, 30],
          iconAnchor: [15, 15]
        }),
        pane: "mdm-highlight",
        keyboard: false,
        site: i
      });
    }

    /** Empty the layers; the next render draws them again (without counting as a change). */
    function clear() {
      plain.clearLayers();
      if (clusters) { clusters.clearLayers(); }
      highlights.clearLayers();
      drawnKey = null;
      highlightsStale = true;
    }

    return {
      layer: root,
      /** Use a base's palette, shapes and labels (markers are drawn again with them). */
      setTables: function (base) {
        tables = base;
        markers = [];
        clear();
      },
      /** Take a render's new rows (from catalogue index `from`); false when some are missing. */
      receive: function (session, from, rows, statuses) {
        if (session !== store.session) {
          if (from !== 0) { return false; }
          store.session = session;
          store.rows = [];
          markers = [];
          clear();
          showKey = null;
          selectedKey = null;
          shown = [];
          selected = [];
        }
        if (from > store.rows.length) { return false; }
        // a render posted twice (the frame resized) brings rows already held: skip those
        for (var i = store.rows.length - from; i < rows.length; i++) { store.rows.push(rows[i]); }
        store.statuses = statuses || [];
        return true;
      },
      /** Show the rows a mask names: {ok, changed} (changed when the selection differs). */
      show: function (mask, cluster) {
        var useClusters = Boolean(cluster && clusters);
        if (mask === drawnKey && useClusters === clustered) { return {ok: true, changed: false}; }
        var indexes = decodeMask(mask, store.rows.length);
        if (!indexes) { return {ok: false, changed: false}; }
        var changed = mask !== showKey;
        plain.clearLayers();
        if (clusters) { clusters.clearLayers(); }
        var group = useClusters ? clusters : plain;
        if (useClusters !== clustered) {
          root.clearLayers();
          root.addLayer(group);
        }
        var layers = indexes.map(markerAt);
        if (useClusters) {
          clusters.addLayers(layers);
        } else {
          layers.forEach(function (layer) { plain.addLayer(layer); });
        }
        shown = indexes;
        showKey = drawnKey = mask;
        clustered = useClusters;
        return {ok: true, changed: changed};
      },
      /** Highlight these catalogue rows; true when the highlighted set changed. */
      select: function (indexes) {
        var key = indexes.join(",");
        var changed = key !== selectedKey;
        if (!changed && !highlightsStale) { return false; }
        selectedKey = key;
        highlightsStale = false;
        selected = indexes.filter(function (i) { return i < store.rows.length; });
        highlights.clearLayers();
        selected.forEach(function (i) { highlights.addLayer(highlightAt(i)); });
        return changed;
      },
      /** Draw the sites again on the next render, after (so above) layers added since. */
      raise: function () { drawnKey = null; },
      onClick: function (handler) { onClick = handler; },
      /** What this frame holds of the catalogue: its session and number of rows. */
      held: function () { return {session: store.session, rows: store.rows.length}; },
      shown: function () { return shown; },
      selected: function () { return selected; },
      size: function () { return store.rows.length; },
      id: function (i) { return store.rows[i][ID]; },
      marker: markerAt,
      name: function (i) { return store.rows[i][NAME]; },
      latLng: latLng,
      labels: labels,
      /** The name a screen reader hears: site, kind, main capability, status. */
      accessibleName: function (i) {
        var named = labels(i);
        return [named.name, named.kind, named.capability, named.status].join(", ");
      },
      /** Open a site's popup, built from its row with textContent. */
      openPopup: function (i) {
        var named = labels(i);
        var card = element("div", "mdm-popup");
        card.appendChild(element("h2", "", named.name));
        var facts = element("dl");
        var pairs = [["Kind", named.kind], ["Main capability", named.capability],
          ["Status", named.status]];
        if (status(i)[2]) { pairs.push(["Source", "Your uploaded file"]); }
        pairs.forEach(function (pair) {
          facts.appendChild(element("dt", "", pair[0]));
          facts.appendChild(element("dd", "", pair[1]));
        });
        card.appendChild(facts);
        return L.popup({maxWidth: 320, autoPanPadding: [16, 16]})
          .setLatLng(latLng(i)).setContent(card).openOn(map);
      },
      /** Count the shown sites by main capability and kind, those closing, those uploaded. */
      counts: function () {
        var counts = {capabilities: {}, kinds: {}, closing: 0, uploaded: 0, total: shown.length};
        shown.forEach(function (i) {
          var row = store.rows[i];
          counts.capabilities[row[CAP]] = (counts.capabilities[row[CAP]] || 0) + 1;
          counts.kinds[row[KIND]] = (counts.kinds[row[KIND]] || 0) + 1;
          if (status(i)[1]) { counts.closing += 1; }
          if (status(i)[2]) { counts.uploaded += 1; }
        });
        return counts;
      }
    };
  };
})();

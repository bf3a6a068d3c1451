/*
 * Sites as data: each site is one compact row, drawn as its kind's shape in its capability's
 * colour on Leaflet's canvas. Rows arrive once per session (a catalogue); a filter change only
 * says which rows to show. Every string from a row reaches the page through textContent, never
 * as markup.
 *
 * This file is the one source of how a site is drawn: the live map loads it, and the folium
 * pages (standalone export, embed) inline it (mapping/largedata.py). A point that is not the
 * site's own (a town or street point) is drawn hollow with a dashed outline; a planned site
 * sits in a dotted ring; a closing one has a white bar. Sites that share a point open a list of
 * them all. Every marker answers within 12 px of its centre (a 24 px target).
 */
(function () {
  "use strict";

  // a row's fields, in the order mapping/livemap/rows.py writes them
  var ID = 0, LON = 1, LAT = 2, KIND = 3, CAP = 4, STATUS = 5, NAME = 6, PRECISION = 7;
  var SVG = "http://www.w3.org/2000/svg";
  // a marker answers the mouse within this many pixels of its centre (WCAG 2.2 target size)
  var HIT_RADIUS = 12;
  var OUTLINE = "#1a1a1a";
  var APPROXIMATE_DASH = "3 2";

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

  function svgNode(tag, attributes) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    return node;
  }

  /**
   * An SVG of a kind's shape (corners in radii; a circle when there are none), as the map draws
   * it. `look` may say: ringed (a highlight), approximate (hollow, dashed outline in the
   * colour), planned (a dotted ring), closing (a white bar), uploaded (a dashed ring in
   * `look.uploadStroke`).
   */
  function shapeSvg(corners, fill, size, look) {
    look = look === true ? {ringed: true} : (look || {});
    var svg = svgNode("svg", {width: size, height: size, "aria-hidden": "true"});
    var reach = look.ringed || look.planned ? 1.6 : 1.1;
    svg.setAttribute("viewBox", [-reach, -reach, 2 * reach, 2 * reach].join(" "));
    if (look.ringed) {
      [["#ffffff", 0.5], ["#000000", 0.24]].forEach(function (ring) {
        svg.appendChild(svgNode("circle", {r: "1.3", fill: "none", stroke: ring[0], "stroke-width": ring[1]}));
      });
    }
    if (look.planned) {
      svg.appendChild(svgNode("circle", {r: "1.4", fill: "none", stroke: OUTLINE,
        "stroke-width": "0.2", "stroke-dasharray": "0.25 0.25"}));
    }
    var shape = corners ?
      svgNode("polygon", {points: corners.map(function (c) { return c[0] + "," + c[1]; }).join(" ")}) :
      svgNode("circle", {r: "0.88"});
    if (look.approximate) {
      shape.setAttribute("fill", "#ffffff");
      shape.setAttribute("fill-opacity", "0.7");
      shape.setAttribute("stroke", fill === "#ffffff" ? OUTLINE : fill);
      shape.setAttribute("stroke-width", "0.3");
      shape.setAttribute("stroke-dasharray", "0.45 0.3");
    } else if (look.uploaded) {
      shape.setAttribute("fill", fill);
      shape.setAttribute("stroke", look.uploadStroke);
      shape.setAttribute("stroke-width", "0.3");
      shape.setAttribute("stroke-dasharray", "0.4 0.2");
    } else {
      shape.setAttribute("fill", fill);
      shape.setAttribute("stroke", OUTLINE);
      shape.setAttribute("stroke-width", "0.14");
    }
    shape.setAttribute("stroke-linejoin", "round");
    svg.appendChild(shape);
    if (look.closing) {
      [[OUTLINE, "0.55"], ["#ffffff", "0.28"]].forEach(function (line) {
        svg.appendChild(svgNode("line", {x1: "-0.7", y1: "0.7", x2: "0.7", y2: "-0.7",
          stroke: line[0], "stroke-width": line[1], "stroke-linecap": "round"}));
      });
    }
    return svg;
  }

  LiveMap.ShapeSvg = shapeSvg;

  /**
   * A popup opens clear of the controls in the map's top left corner (zoom, and the keyboard
   * lists, which grow with their help while they have focus): the map pans until the popup is
   * below them, or beside them on a map too short for that. Where those controls fill much
   * of the map (a phone, or a page with a title box), panning past them would push the site
   * under the boxes at the bottom: the popup keeps a small margin only. Shared by every popup
   * of the map (the sites', the registers' points').
   */
  LiveMap.PopupOptions = function (map) {
    // chrome: the popup's own padding and close button around its content, in pixels
    var margin = 16, left = margin, top = margin, width = 320, chrome = 46;
    var corner = map.getContainer().querySelector(".leaflet-top.leaflet-left");
    if (corner) {
      var box = corner.getBoundingClientRect();
      var frame = map.getContainer().getBoundingClientRect();
      var below = box.bottom - frame.top + 8, beside = box.right - frame.left + 8;
      var size = map.getSize();
      var room = size.x - beside - margin - chrome;
      // below the boxes while they are short; beside them once a long name makes the keyboard
      // list tall, if a popup at least 220 px wide fits there (narrower than usual if need be)
      if (below < 0.4 * size.y && size.y - below > 320) {
        top = Math.max(margin, below);
      } else if (room >= 220) {
        left = Math.max(margin, beside);
        width = Math.min(width, room);
      }
    }
    return {maxWidth: width, autoPanPaddingTopLeft: [left, top],
      autoPanPaddingBottomRight: [margin, margin]};
  };

  LiveMap.Sites = function (L, map, renderer) {
    var tables = null;
    var store = {session: null, rows: [], statuses: [], details: []};
    var markers = [];
    // showKey names the selection (to tell a data change); drawnKey what the layer holds
    var shown = [], showKey = null, drawnKey = null, clustered = null;
    var selected = [], selectedKey = null, highlightsStale = false;
    var atPoint = {};  // "lat,lon" -> the shown sites there
    var scale = 1;  // markers' size factor (larger for a projector)
    var onClick = function () {};

    // A circle marker (cheap, hit-tested by the canvas) that draws its kind's shape instead,
    // with a dotted ring when the site is planned and a white bar when its closure is announced.
    var Shape = L.CircleMarker.extend({
      _updatePath: function () {
        var canvas = this._renderer;
        var corners = tables && tables.shapes[this.options.kind];
        var drawing = canvas._ctx && canvas._drawing && !this._empty();
        if (!canvas._ctx || !corners) {
          L.CircleMarker.prototype._updatePath.call(this);
        } else if (drawing) {
          var ctx = canvas._ctx, p = this._point, r = this._radius;
          ctx.beginPath();
          ctx.moveTo(p.x + corners[0][0] * r, p.y + corners[0][1] * r);
          for (var k = 1; k < corners.length; k++) {
            ctx.lineTo(p.x + corners[k][0] * r, p.y + corners[k][1] * r);
          }
          ctx.closePath();
          canvas._fillStroke(ctx, this);
        }
        if (drawing && this.options.planned) { this._drawRing(canvas._ctx, this._point, this._radius); }
        if (drawing && this.options.closing) { this._drawBar(canvas._ctx, this._point, this._radius); }
      },
      // the mouse reaches a marker anywhere within HIT_RADIUS of its centre
      _containsPoint: function (p) {
        return p.distanceTo(this._point) <= Math.max(HIT_RADIUS, this._radius + this._clickTolerance());
      },
      _drawRing: function (ctx, p, r) {
        ctx.save();
        ctx.globalAlpha = 1;
        ctx.setLineDash([2, 2]);
        ctx.beginPath();
        ctx.arc(p.x, p.y, r * 1.55, 0, Math.PI * 2);
        ctx.strokeStyle = OUTLINE;
        ctx.lineWidth = 1.4;
        ctx.stroke();
        ctx.restore();
      },
      _drawBar: function (ctx, p, r) {
        ctx.save();
        ctx.globalAlpha = 1;
        ctx.setLineDash([]);
        ctx.lineCap = "round";
        [[OUTLINE, r * 0.55], ["#ffffff", r * 0.28]].forEach(function (line) {
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

    function pointKey(i) {
      var row = store.rows[i];
      return row[LAT] + "," + row[LON];
    }

    /** The shown sites on site i's point, by name (i alone when no other site shares it). */
    function sharing(i) {
      var others = atPoint[pointKey(i)] || [i];
      return others.slice().sort(function (a, b) {
        var x = store.rows[a][NAME].toLowerCase(), y = store.rows[b][NAME].toLowerCase();
        return x < y ? -1 : x > y ? 1 : a - b;
      });
    }

    /** A popup listing the sites that share a point: each name is a button that opens it. */
    function openList(i) {
      var here = sharing(i);
      var card = element("div", "mdm-popup mdm-shared");
      card.appendChild(element("h2", "", here.length + " sites share this point"));
      var list = element("ul", "mdm-shared-list");
      here.forEach(function (j) {
        var item = element("li");
        var button = element("button", "mdm-shared-site", shortName(j));
        button.type = "button";
        button.setAttribute("data-site", store.rows[j][ID]);
        L.DomEvent.on(button, "click", function (e) {
          L.DomEvent.stop(e);
          onClick(j);
          // the list is gone with its buttons: focus stays in the map (Escape closes the site)
          map.getContainer().focus({preventScroll: true});
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      card.appendChild(list);
      var popup = L.popup(LiveMap.PopupOptions(map)).setLatLng(latLng(i)).setContent(card).openOn(map);
      var first = card.querySelector("button");
      if (first) { first.focus({preventScroll: true}); }
      return popup;
    }

    [plain, clusters, highlights].forEach(function (group) {
      if (!group) { return; }
      group.on("click", function (e) {
        var site = siteOf(e);
        if (site === undefined) { return; }
        if (sharing(site).length > 1) { openList(site); } else { onClick(site); }
      });
      group.on("mouseover", function (e) {
        var site = siteOf(e);
        if (site === undefined) { return; }
        var others = sharing(site).length - 1;
        var tip = shortName(site) + (others ? " and " + others + " more here: click to choose" : "");
        tooltip.setLatLng(latLng(site)).setContent(element("span", "", tip));
        map.openTooltip(tooltip);
      });
      group.on("mouseout", function () { map.closeTooltip(tooltip); });
    });

    function latLng(i) {
      var row = store.rows[i];
      return [row[LAT], row[LON]];
    }

    // a status entry: [text, closing, uploaded, planned]
    function status(i) {
      return store.statuses[store.rows[i][STATUS]] || ["", false, false, false];
    }

    // a precision entry: [legend label when the point is approximate, else "", popup sentence]
    function precision(i) {
      var entry = tables.precisions && tables.precisions[store.rows[i][PRECISION]];
      return entry || ["", ""];
    }

    function colourOf(i) {
      var row = store.rows[i];
      return tables.palette[row[CAP]] || tables.palette[tables.palette.length - 1];
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
        var approximate = Boolean(precision(i)[0]) && !uploaded;
        var colour = colourOf(i);
        markers[i] = new Shape([row[LAT], row[LON]], {
          renderer: renderer,
          radius: (uploaded || approximate ? 7 : 6) * scale,
          weight: uploaded || approximate ? 2.4 : 1,
          color: uploaded ? tables.uploadStroke : approximate ? colour : OUTLINE,
          dashArray: uploaded || approximate ? APPROXIMATE_DASH : null,
          opacity: 1,
          // an approximate point is hollow: a pale fill inside its coloured, dashed outline
          fillColor: approximate ? "#ffffff" : colour,
          fillOpacity: approximate ? 0.7 : 0.95,
          site: i,
          kind: row[KIND],
          closing: status(i)[1],
          planned: status(i)[3],
          approximate: approximate
        });
      }
      return markers[i];
    }

    function highlightAt(i) {
      var row = store.rows[i];
      var look = {ringed: true, approximate: Boolean(precision(i)[0]) && !status(i)[2]};
      return L.marker(latLng(i), {
        icon: L.divIcon({
          html: shapeSvg(tables.shapes[row[KIND]], colourOf(i), 30, look),
          className: "mdm-selected",
          iconSize: [30, 30],
          iconAnchor: [15, 15]
        }),
        pane: "mdm-highlight",
        keyboard: false,
        site: i
      });
    }

    function showIndexes(indexes, key, useClusters) {
      var changed = key !== showKey;
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
      atPoint = {};
      indexes.forEach(function (i) {
        var here = pointKey(i);
        (atPoint[here] || (atPoint[here] = [])).push(i);
      });
      showKey = drawnKey = key;
      clustered = useClusters;
      return {ok: true, changed: changed};
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
      receive: function (session, from, rows, statuses, details) {
        if (session !== store.session) {
          if (from !== 0) { return false; }
          store.session = session;
          store.rows = [];
          store.details = [];
          markers = [];
          clear();
          showKey = null;
          selectedKey = null;
          shown = [];
          selected = [];
        }
        if (from > store.rows.length) { return false; }
        // a render posted twice (the frame resized) brings rows already held: skip those
        for (var i = store.rows.length - from; i < rows.length; i++) {
          store.rows.push(rows[i]);
          store.details.push(details ? details[i] : null);
        }
        store.statuses = statuses || [];
        return true;
      },
      /** Show the rows a mask names: {ok, changed} (changed when the selection differs). */
      show: function (mask, cluster) {
        var useClusters = Boolean(cluster && clusters);
        if (mask === drawnKey && useClusters === clustered) { return {ok: true, changed: false}; }
        var indexes = decodeMask(mask, store.rows.length);
        if (!indexes) { return {ok: false, changed: false}; }
        return showIndexes(indexes, mask, useClusters);
      },
      /** Show every row held (a page that draws all its sites): {ok, changed}. */
      showAll: function (cluster) {
        var indexes = store.rows.map(function (row, i) { return i; });
        return showIndexes(indexes, "all:" + indexes.length, Boolean(cluster && clusters));
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
      /** Draw markers `factor` times their size (1: as usual); false when it did not change. */
      setScale: function (factor) {
        var wanted = factor > 0 ? factor : 1;
        if (wanted === scale) { return false; }
        scale = wanted;
        markers.forEach(function (marker) {
          if (marker) { marker.setRadius((marker.options.approximate || status(marker.options.site)[2] ? 7 : 6) * scale); }
        });
        return true;
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
        var parts = [named.name, named.kind, named.capability, named.status];
        if (precision(i)[0] && !status(i)[2]) { parts.push(precision(i)[0]); }
        return parts.join(", ");
      },
      /** The shown sites that share site i's point, by name (i alone when none does). */
      sharing: sharing,
      /** Open the list of the sites on site i's point (each name opens its site). */
      openList: openList,
      /** Open a site's popup, built from its row (and any details) with textContent. */
      openPopup: function (i) {
        var named = labels(i);
        var card = element("div", "mdm-popup");
        card.appendChild(element("h2", "", named.name));
        var more = store.details[i] || {};
        var facts = element("dl");
        var pairs = [["Organisation", more.organisation], ["Kind", named.kind],
          ["Main capability", named.capability], ["Other capabilities", more.capabilities],
          ["Status", named.status], ["Town", more.town], ["District", more.district]];
        if (status(i)[2]) { pairs.push(["Source", "Your uploaded file"]); }
        pairs.forEach(function (pair) {
          if (!pair[1]) { return; }
          facts.appendChild(element("dt", "", pair[0]));
          facts.appendChild(element("dd", "", pair[1]));
        });
        if (more.source && /^https?:\/\//i.test(more.source)) {
          facts.appendChild(element("dt", "", "Source"));
          var cell = element("dd");
          var link = element("a", "", "public source");
          link.href = more.source;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          cell.appendChild(link);
          facts.appendChild(cell);
        }
        card.appendChild(facts);
        if (precision(i)[1] && !status(i)[2]) {
          card.appendChild(element("p", "mdm-approximate", precision(i)[1]));
        }
        return L.popup(LiveMap.PopupOptions(map)).setLatLng(latLng(i)).setContent(card).openOn(map);
      },
      /**
       * Count the shown sites as they are drawn: by colour (capability) and kind, and those
       * closing, planned, uploaded and approximate (by precision index).
       */
      counts: function () {
        var counts = {capabilities: {}, kinds: {}, precisions: {}, closing: 0, planned: 0,
          uploaded: 0, total: shown.length};
        shown.forEach(function (i) {
          var row = store.rows[i];
          counts.capabilities[row[CAP]] = (counts.capabilities[row[CAP]] || 0) + 1;
          counts.kinds[row[KIND]] = (counts.kinds[row[KIND]] || 0) + 1;
          if (status(i)[1]) { counts.closing += 1; }
          if (status(i)[3]) { counts.planned += 1; }
          if (status(i)[2]) {
            counts.uploaded += 1;
          } else if (precision(i)[0]) {
            counts.precisions[row[PRECISION]] = (counts.precisions[row[PRECISION]] || 0) + 1;
          }
        });
        return counts;
      }
    };
  };
})();

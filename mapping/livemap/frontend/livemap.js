/*
 * The live map's frontend. It speaks Streamlit's component messages itself (no build step):
 * it posts "streamlit:componentReady", receives "streamlit:render" with the arguments of each
 * rerun, and answers with "streamlit:setComponentValue" and "streamlit:setFrameHeight".
 *
 * The Leaflet map is built once per frame. A render brings the base only when its version is
 * new, the site rows this frame has never received, and which rows to show; the map then
 * updates the sites layer, the legend counts and the highlights in place. When something is
 * missing (a remount, a lost render) the frame asks Python for everything again ("resync").
 *
 * For tests and tools the map is window.map and the state window.livemap, as folium's maps
 * are globals of their frame.
 */
(function () {
  "use strict";

  var ASSETS = assetsRoot();
  var SCRIPTS = ["leaflet/dist/leaflet.js", "leaflet.markercluster/dist/leaflet.markercluster.js"];
  var STYLES = [
    "leaflet/dist/leaflet.css",
    "leaflet.markercluster/dist/MarkerCluster.css",
    "leaflet.markercluster/dist/MarkerCluster.Default.css"
  ];
  var FIT_PADDING = 28;
  var REPORT_DELAY_MS = 250;

  var live = window.livemap = {
    map: null, sites: null, renders: 0, builds: 0, fits: 0, resyncs: 0, baseVersion: null,
    overlaysVersion: null,
    viewSet: false, reportView: true, clicked: null, clicks: 0, resync: null,
    firstDrawnMs: null, lastRenderMs: null
  };
  var parts = null, pending = null, height = 0, lastReport = "", reportTimer = null, bounds = null;

  /** Where Streamlit serves the project's static/vendor folder, beside this component. */
  function assetsRoot() {
    var path = window.location.pathname, cut = path.indexOf("/component/");
    return (cut >= 0 ? path.slice(0, cut) : "") + "/app/static/vendor/";
  }

  function send(type, fields) {
    var message = {isStreamlitMessage: true, type: type};
    Object.keys(fields || {}).forEach(function (name) { message[name] = fields[name]; });
    window.parent.postMessage(message, "*");
  }

  function say(text) { document.getElementById("mdm-status").textContent = text; }

  var element = window.LiveMapElement;

  /** Text for Leaflet's layer control, which inserts labels as markup. */
  function asMarkup(text) {
    var box = element("span", "", text);
    return box.innerHTML;
  }

  /** Python sends the base and the rows as bytes of compact JSON. */
  function fromBytes(data) {
    if (!data) { return null; }
    return JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
  }

  function load() {
    STYLES.forEach(function (href) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = ASSETS + href;
      document.head.appendChild(link);
    });
    var next = 0;
    (function loadNext() {
      if (next === SCRIPTS.length) { return ready(); }
      var script = document.createElement("script");
      script.src = ASSETS + SCRIPTS[next];
      next += 1;
      script.onload = loadNext;
      script.onerror = function () {
        if (!window.L) {
          say("Leaflet did not load from " + script.src + ": run 'make assets', then reload.");
        } else {
          loadNext();  // without clustering the map still works
        }
      };
      document.head.appendChild(script);
    })();
  }

  function ready() {
    var L = window.L;
    live.leafletMs = window.performance.now();
    var map = L.map("map", {
      preferCanvas: true, zoomSnap: 0.25, minZoom: 5, maxZoom: 18,
      attributionControl: false, keyboard: true
    });
    // a provisional view, so every layer is added in call order (sites after the areas, on
    // top); the first render fits or sets the real one
    map.setView([52.75, -1.5], 7, {animate: false});
    map.createPane("mdm-base").style.zIndex = 250;
    map.createPane("mdm-highlight").style.zIndex = 640;
    // areas and sites share one canvas, so hovering and clicking reach both
    var renderer = L.canvas({padding: 0.3});
    parts = {
      renderer: renderer,
      baseRenderer: L.canvas({pane: "mdm-base"}),
      baseLayers: [],
      overlays: [],
      control: L.control.layers(null, null, {collapsed: true, position: "topright"}).addTo(map)
    };
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    parts.sites = window.LiveMapSites(L, map, renderer);
    parts.legend = window.LiveMapLegend(L, map);
    parts.keyboard = window.LiveMapKeyboard(L, map, parts.sites, openSite);
    parts.control.addOverlay(parts.sites.layer, "Sites");
    parts.sites.onClick(openSite);
    map.on("moveend", function () {
      if (!live.reportView || !live.viewSet) { return; }
      window.clearTimeout(reportTimer);
      reportTimer = window.setTimeout(report, REPORT_DELAY_MS);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { map.closePopup(); }
    });
    live.map = window.map = map;
    live.sites = parts.sites;
    live.keyboard = parts.keyboard;
    live.builds += 1;
    if (pending) { onRender(pending); }
  }

  function applyBase(base, version) {
    var L = window.L, map = live.map;
    parts.baseLayers.forEach(function (layer) {
      map.removeLayer(layer);
      parts.control.removeLayer(layer);
    });
    parts.baseLayers = base.layers.map(function (spec) {
      var layer = L.geoJSON(spec.geojson, {
        style: function () { return spec.style; },
        interactive: !spec.basemap,
        renderer: spec.basemap ? parts.baseRenderer : parts.renderer,
        smoothFactor: 0.5,
        onEachFeature: spec.basemap ? null : function (feature, shape) {
          shape.bindTooltip(function () {
            return element("span", "", feature.properties.name || "");
          }, {sticky: true});
        }
      }).addTo(map);
      if (!spec.basemap) { parts.control.addOverlay(layer, asMarkup(spec.label)); }
      return layer;
    });
    map.getContainer().style.background = base.background;
    bounds = L.latLngBounds(base.bounds);
    // markers are made again, after the areas, so they are drawn (and clicked) on top
    parts.sites.setTables(base);
    parts.legend.setBase(base);
    live.baseVersion = version;
  }

  /** Replace the overlays (the belt ...): drawn under the sites, named in the legend. */
  function applyOverlays(overlays, version) {
    var L = window.L, map = live.map;
    parts.overlays.forEach(function (layer) {
      map.removeLayer(layer);
      parts.control.removeLayer(layer);
    });
    parts.overlays = overlays.map(function (spec) {
      // a feature's own tooltip ("tip": a cluster's name and size) wins over the overlay's
      var tipOf = function (feature) {
        return (feature.properties && feature.properties.tip) || spec.tooltip || "";
      };
      var layer = L.geoJSON(spec.geojson, {
        style: function () { return spec.style; },
        interactive: spec.geojson.features.some(function (f) { return Boolean(tipOf(f)); }),
        renderer: parts.renderer,
        onEachFeature: function (feature, shape) {
          var tip = tipOf(feature);
          if (tip) {
            shape.bindTooltip(function () { return element("span", "", tip); }, {sticky: true});
          }
        }
      }).addTo(map);
      parts.control.addOverlay(layer, asMarkup(spec.label));
      return layer;
    });
    parts.sites.raise();
    parts.legend.setOverlays(overlays);
    live.overlaysVersion = version;
  }

  function onRender(args) {
    var started = window.performance.now();
    if (live.firstArgsMs === undefined) { live.firstArgsMs = started; }
    live.renders += 1;
    if (args.height && args.height !== height) {
      height = args.height;
      send("streamlit:setFrameHeight", {height: height});
    }
    if (!parts) { pending = args; return; }
    pending = null;
    live.reportView = args.reportView !== false;
    if (args.baseVersion !== live.baseVersion) {
      if (!args.base) { return resync("base " + args.baseVersion + " not received"); }
      applyBase(fromBytes(args.base), args.baseVersion);
    }
    if (args.overlaysVersion !== live.overlaysVersion) {
      if (!args.overlays) { return resync("overlays " + args.overlaysVersion + " not received"); }
      applyOverlays(fromBytes(args.overlays), args.overlaysVersion);
    }
    var sites = parts.sites;
    if (!sites.receive(args.session, args.from, fromBytes(args.rows) || [], args.statuses)) { return resync("rows before " + args.from + " are missing"); }
    var shown = sites.show(args.show, args.cluster);
    if (!shown.ok) { return resync("a shown row is missing"); }
    if (shown.changed) {
      parts.legend.update(sites.counts());
      parts.keyboard.reset();
    }
    var reselected = sites.select(args.selected || []);
    live.resync = null;
    whenSized(function () { placeView(args, shown.changed, reselected); });
    live.lastRenderMs = window.performance.now() - started;
    if (live.firstDrawnMs === null) { live.firstDrawnMs = window.performance.now(); }
    say("");
  }

  /** Run once the frame has a height (Leaflet cannot fit a view in an empty box). */
  function whenSized(action) {
    var map = live.map;
    if (map.getContainer().clientHeight > 0) {
      map.invalidateSize({pan: false});
      action();
      return;
    }
    window.addEventListener("resize", function again() {
      window.removeEventListener("resize", again);
      whenSized(action);
    });
  }

  function placeView(args, dataChanged, reselected) {
    var map = live.map, sites = parts.sites, selected = sites.selected();
    if (!live.viewSet) {
      live.viewSet = true;
      if (args.view) {
        map.setView(args.view.center, args.view.zoom, {animate: false});
        return;  // a view from the link wins over fitting, once
      }
      if (args.fit && sites.shown().length) {
        fitTo(sites.shown());
      } else {
        map.fitBounds(bounds, {animate: false});
      }
    } else if (dataChanged && args.fit) {
      fitTo(sites.shown());
    }
    var justClicked = selected.length === 1 && sites.id(selected[0]) === live.clicked;
    if (reselected && selected.length && !justClicked) { fitTo(selected); }
  }

  function fitTo(indexes) {
    if (!indexes.length) { return; }
    var south = 90, west = 180, north = -90, east = -180;
    indexes.forEach(function (i) {
      var point = parts.sites.latLng(i);
      south = Math.min(south, point[0]);
      north = Math.max(north, point[0]);
      west = Math.min(west, point[1]);
      east = Math.max(east, point[1]);
    });
    live.map.fitBounds([[south, west], [north, east]], fitOptions());
    live.fits += 1;
  }

  /** Fit with a margin, and clear of the legend when it is open (sites behind it are hidden). */
  function fitOptions() {
    var details = live.map.getContainer().querySelector(".mdm-legend details");
    var right = FIT_PADDING;
    var legend = details && details.open ? details.parentNode.getBoundingClientRect().width : 0;
    if (live.map.getSize().x - legend > 300) { right += legend; }  // a narrow map fits under it
    return {
      paddingTopLeft: [FIT_PADDING, FIT_PADDING],
      paddingBottomRight: [right, FIT_PADDING],
      maxZoom: 13,
      animate: false
    };
  }

  function openSite(i) {
    parts.sites.openPopup(i);
    live.clicked = parts.sites.id(i);
    live.clicks += 1;
    report();
  }

  function currentView() {
    var map = live.map;
    if (!live.viewSet || !map._loaded) { return null; }
    var centre = map.getCenter(), box = map.getBounds();
    var r5 = function (v) { return Math.round(v * 1e5) / 1e5; };
    return {
      center: [r5(centre.lat), r5(centre.lng)],
      zoom: Math.round(map.getZoom() * 100) / 100,
      bounds: [[r5(box.getSouth()), r5(box.getWest())], [r5(box.getNorth()), r5(box.getEast())]]
    };
  }

  /** Tell Python the view and the last click (only when something changed). */
  function report() {
    var value = {view: currentView(), clicked: live.clicked, clicks: live.clicks};
    if (live.resync) {
      value.resync = live.resync;
      value.have = parts.sites.held();
      value.have.base = live.baseVersion;
      value.have.overlays = live.overlaysVersion;
    }
    var text = JSON.stringify(value);
    if (text === lastReport) { return; }
    lastReport = text;
    send("streamlit:setComponentValue", {value: value, dataType: "json"});
  }

  /** Ask Python for what this frame lacks (it says what it holds in the next report). */
  function resync(reason) {
    live.resync = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    live.resyncs += 1;
    live.resyncReason = reason;
    report();
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data || event.data.type !== "streamlit:render") {
      return;
    }
    try {
      onRender(event.data.args || {});
    } catch (error) {
      say("The map could not be drawn: " + error.message);
      throw error;
    }
  });
  send("streamlit:componentReady", {apiVersion: 1});
  load();
})();

/*
 * The live map's frontend: a Streamlit Components v2 module (no iframe). Streamlit calls the
 * default export with each render's `data`; the module keeps one Leaflet map per mounted
 * element and updates it in place. It answers through the component's state (`view`: the
 * reader's view) and trigger values (`click`: a site opened; `resync`: what this map lacks;
 * `key`: a presenter's clicker key).
 *
 * A render brings the base only when its version is new, the site rows this map has never
 * received, and which rows to show (a bit mask). When something is missing (a remount, a render
 * skipped on the way) the map asks Python for it ("resync"), saying what it holds.
 *
 * The drawing modules before this file in the bundle (dom.js, sites.js, legend.js, keyboard.js)
 * register their factories on the bundle's `LiveMap` object; nothing of theirs is global.
 *
 * For tests and tools each map's handle is `window.livemaps[key]` (key: the Python key): `map`
 * (the Leaflet map), `sites`, `keyboard`, counters and timings. The page's main map (Python's
 * `primary=True`) is also `window.livemap`, and its Leaflet map `window.map`.
 */

const SCRIPTS = ["leaflet/dist/leaflet.js", "leaflet.markercluster/dist/leaflet.markercluster.js"];
const HEAT_SCRIPT = "leaflet.heat/dist/leaflet-heat.js";
const STYLES = [
  "leaflet/dist/leaflet.css",
  "leaflet.markercluster/dist/MarkerCluster.css",
  "leaflet.markercluster/dist/MarkerCluster.Default.css"
];
const FIT_PADDING = 28;
const REPORT_DELAY_MS = 250;
const FORWARD_KEYS = new Set(["ArrowRight", "ArrowDown", "PageDown"]);
const BACKWARD_KEYS = new Set(["ArrowLeft", "ArrowUp", "PageUp"]);

/** One map per mounted element (Streamlit hands the same element to each of its renders). */
const mounted = new Map();
/** The scripts this page has loaded (or is loading): src -> promise. */
const scripts = new Map();

function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(src, new Promise(function (resolve, reject) {
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () {
        scripts.delete(src);
        reject(new Error(src + " did not load"));
      };
      document.head.appendChild(script);
    }));
  }
  return scripts.get(src);
}

/** Leaflet and its cluster plugin, from the project's own assets, once per page. */
function loadLeaflet(root) {
  STYLES.forEach(function (href) {
    const url = root + href;
    if (!document.head.querySelector("link[data-mdm-style='" + href + "']")) {
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = url;
      link.dataset.mdmStyle = href;
      document.head.appendChild(link);
    }
  });
  return loadScript(root + SCRIPTS[0]).then(function () {
    // without clustering the map still works
    return loadScript(root + SCRIPTS[1]).catch(function () { return null; });
  });
}

/** Python sends the base, the rows and the overlays as compact JSON text. */
function fromText(data) {
  if (!data) { return null; }
  return typeof data === "string" ? JSON.parse(data) : data;
}

/** The scene keys of a presenter's clicker, on the whole page, wherever the focus is. */
const sceneKeys = {owner: null, listening: false};

function onSceneKey(event) {
  const owner = sceneKeys.owner;
  if (!owner || event.altKey || event.ctrlKey || event.metaKey) { return; }
  const target = event.target;
  if (target && (target.isContentEditable ||
      ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) { return; }
  const step = FORWARD_KEYS.has(event.key) ? "next" : BACKWARD_KEYS.has(event.key) ? "previous" : null;
  if (!step) { return; }
  // the map's site list keeps its arrows (a clicker sends PageUp and PageDown)
  const paging = event.key === "PageDown" || event.key === "PageUp";
  if (!paging && target && target.closest && target.closest("[role=listbox]")) { return; }
  // before Leaflet's own keys (which pan on arrows) and before the page scrolls
  event.preventDefault();
  event.stopPropagation();
  owner.sceneKey(step);
}

function listenForSceneKeys(owner) {
  sceneKeys.owner = owner;
  if (!sceneKeys.listening) {
    window.addEventListener("keydown", onSceneKey, true);
    sceneKeys.listening = true;
  }
}

function stopSceneKeys(owner) {
  if (sceneKeys.owner === owner) {
    sceneKeys.owner = null;
    window.removeEventListener("keydown", onSceneKey, true);
    sceneKeys.listening = false;
  }
}

/** A Leaflet map in `host`, built once, updated by each render. */
function LiveMapView(host) {
  const element = LiveMap.Element;
  const box = host.querySelector(".mdm-main");
  const status = host.querySelector(".mdm-status");
  const live = {
    map: null, sites: null, keyboard: null, renders: 0, builds: 0, fits: 0, resyncs: 0,
    baseVersion: null, overlaysVersion: null, viewSet: false, reportView: true, clicked: null,
    clicks: 0, resync: null, firstDrawnMs: null, lastRenderMs: null, placeKey: null,
    sceneKeys: 0, reportDue: false, reportedMs: null
  };
  let parts = null, pending = null, lastView = "", reportTimer = null, bounds = null;
  let api = null, loading = null, tiles = null, tilesUrl = null, heat = null, heatKey = null;

  function say(text) { status.textContent = text; }

  /** Height "fill": from the map's top to the window's bottom, less the room kept below. */
  let fill = null;
  function fillWindow() {
    if (fill === null) { return; }
    const top = box.getBoundingClientRect().top + window.scrollY;
    const height = Math.max(280, Math.floor(window.innerHeight - top - fill));
    if (box.style.height !== height + "px") {
      box.style.height = height + "px";
      if (live.map) { live.map.invalidateSize({pan: false}); }
    }
    box.style.setProperty("--mdm-map-height", height + "px");
  }
  window.addEventListener("resize", fillWindow);

  /** Text for Leaflet's layer control, which inserts labels as markup. */
  function asMarkup(text) {
    return element("span", "", text).innerHTML;
  }

  function build() {
    const L = window.L;
    live.leafletMs = window.performance.now();
    const map = L.map(host.querySelector(".mdm-map"), {
      preferCanvas: true, zoomSnap: 0.25, minZoom: 5, maxZoom: 18,
      attributionControl: false, keyboard: true
    });
    // a provisional view, so every layer is added in call order (sites after the areas, on
    // top); the first render fits or sets the real one
    map.setView([52.75, -1.5], 7, {animate: false});
    map.createPane("mdm-tiles").style.zIndex = 150;
    map.createPane("mdm-base").style.zIndex = 250;
    map.createPane("mdm-highlight").style.zIndex = 640;
    // areas and sites share one canvas, so hovering and clicking reach both
    const renderer = L.canvas({padding: 0.3});
    parts = {
      renderer: renderer,
      baseRenderer: L.canvas({pane: "mdm-base"}),
      baseLayers: [],
      overlays: [],
      control: L.control.layers(null, null, {collapsed: true, position: "topright"}).addTo(map)
    };
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    parts.sites = LiveMap.Sites(L, map, renderer);
    parts.legend = LiveMap.Legend(L, map);
    parts.keyboard = LiveMap.Keyboard(L, map, parts.sites, openSite);
    parts.control.addOverlay(parts.sites.layer, "Sites");
    // the registers' layers: the sites are drawn again above one that is switched on
    parts.registers = LiveMap.Registers(L, map, renderer, function () {
      parts.sites.raise();
      if (parts.shown) { parts.sites.show(parts.shown[0], parts.shown[1]); }
    });
    parts.sites.onClick(openSite);
    map.on("moveend", function () {
      if (!live.reportView || !live.viewSet) { return; }
      window.clearTimeout(reportTimer);
      live.reportDue = true;
      reportTimer = window.setTimeout(reportView, REPORT_DELAY_MS);
    });
    map.getContainer().addEventListener("keydown", function (e) {
      if (e.key === "Escape") { map.closePopup(); }
    });
    live.map = map;
    live.sites = parts.sites;
    live.keyboard = parts.keyboard;
    live.registers = parts.registers;
    live.builds += 1;
    if (view.onBuilt) { view.onBuilt(); }
  }

  function applyBase(base, version) {
    const L = window.L, map = live.map;
    parts.baseLayers.forEach(function (layer) {
      map.removeLayer(layer);
      parts.control.removeLayer(layer);
    });
    parts.baseLayers = base.layers.map(function (spec) {
      const layer = L.geoJSON(spec.geojson, {
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
      layer.mdmBasemap = Boolean(spec.basemap);
      return layer;
    });
    parts.background = base.background;
    map.getContainer().style.background = tiles ? "#ffffff" : base.background;
    if (tiles) { showDrawnLand(false); }
    bounds = L.latLngBounds(base.bounds);
    // markers are made again, after the areas, so they are drawn (and clicked) on top
    parts.sites.setTables(base);
    parts.legend.setBase(base);
    live.baseVersion = version;
  }

  /** Replace the overlays (the belt, area shading ...): drawn under the sites, in the legend. */
  function applyOverlays(overlays, version) {
    const L = window.L, map = live.map;
    parts.overlays.forEach(function (layer) {
      map.removeLayer(layer);
      parts.control.removeLayer(layer);
    });
    parts.overlays = overlays.map(function (spec) {
      // a feature's own tooltip ("tip": a cluster's name and size) wins over the overlay's
      const tipOf = function (feature) {
        return (feature.properties && feature.properties.tip) || spec.tooltip || "";
      };
      const layer = L.geoJSON(spec.geojson, {
        style: function () { return spec.style; },
        interactive: spec.geojson.features.some(function (f) { return Boolean(tipOf(f)); }),
        renderer: parts.renderer,
        onEachFeature: function (feature, shape) {
          const tip = tipOf(feature);
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

  /** The land and sea drawn from the boundaries: hidden under light tiles. */
  function showDrawnLand(show) {
    parts.baseLayers.forEach(function (layer) {
      if (!layer.mdmBasemap) { return; }
      if (show) { live.map.addLayer(layer); } else { live.map.removeLayer(layer); }
    });
  }

  /** Light tiles instead of the drawn land (only when the app is online and the reader asks). */
  function applyTiles(spec) {
    const L = window.L, map = live.map;
    const url = spec ? spec.url : null;
    if (url === tilesUrl) { return; }
    if (tiles) {
      map.removeLayer(tiles);
      parts.credit.remove();
      tiles = null;
    }
    tilesUrl = url;
    if (spec) {
      tiles = L.tileLayer(spec.url, {pane: "mdm-tiles", maxZoom: 16}).addTo(map);
      // the tiles' owner is credited on the map while they show
      parts.credit = L.control.attribution({prefix: false, position: "bottomleft"}).addTo(map);
      parts.credit.addAttribution(asMarkup(spec.attribution || ""));
      live.tiles = spec.url;
    } else {
      live.tiles = null;
    }
    showDrawnLand(!spec);
    map.getContainer().style.background = spec ? "#ffffff" : (parts.background || "");
  }

  /** The density heat (leaflet.heat), its script loaded the first time it is asked for. */
  function applyHeat(spec, root) {
    const key = spec ? spec.key : null;
    if (key === heatKey) { return; }
    heatKey = key;
    if (heat) { live.map.removeLayer(heat); heat = null; }
    if (!spec) { return; }
    loadScript(root + HEAT_SCRIPT).then(function () {
      if (heatKey !== key) { return; }
      heat = window.L.heatLayer(spec.points, {
        radius: spec.radius || 25, blur: spec.blur || 18, maxZoom: 12, minOpacity: 0.3
      }).addTo(live.map);
      live.heatDrawn = spec.points.length;
    }).catch(function (error) { say("The density heat did not load: " + error.message); });
  }

  function render(args) {
    const started = window.performance.now();
    if (live.firstArgsMs === undefined) { live.firstArgsMs = started; }
    live.renders += 1;
    fill = args.height === "fill" ? (args.reserveBelow || 0) : null;
    const height = typeof args.height === "number" ? args.height + "px" : args.height;
    if (fill !== null) {
      // the page above the map may still be drawing: measure again once it has
      fillWindow();
      window.setTimeout(fillWindow, 300);
      window.setTimeout(fillWindow, 1200);
    } else if (height && box.style.height !== height) {
      box.style.height = height;
    }
    box.classList.toggle("mdm-large", Boolean(args.large));
    if (args.label && box.getAttribute("aria-label") !== args.label) {
      box.setAttribute("aria-label", args.label);
    }
    if (!parts) {
      pending = args;
      if (!loading) {
        loading = loadLeaflet(args.assets).then(function () {
          build();
          if (pending) { const next = pending; pending = null; render(next); }
        }, function (error) {
          say(error.message + ": run 'make assets', then reload.");
        });
      }
      return;
    }
    live.reportView = args.reportView !== false;
    if (args.sceneKeys) { listenForSceneKeys(view); } else { stopSceneKeys(view); }
    if (args.baseVersion !== live.baseVersion) {
      if (!args.base) { return resync("base " + args.baseVersion + " not received"); }
      applyBase(fromText(args.base), args.baseVersion);
    }
    if (args.overlaysVersion !== live.overlaysVersion) {
      if (!args.overlays) { return resync("overlays " + args.overlaysVersion + " not received"); }
      applyOverlays(fromText(args.overlays), args.overlaysVersion);
    }
    applyTiles(args.tiles || null);
    applyHeat(args.heat || null, args.assets);
    const sites = parts.sites;
    if (sites.setScale) { sites.setScale(args.markerScale || 1); }
    if (!sites.receive(args.session, args.from, fromText(args.rows) || [], args.statuses)) {
      return resync("rows before " + args.from + " are missing");
    }
    if (args.registers && !parts.registers.apply(args.registers)) {
      return resync("registers " + args.registers.version + " not received");
    }
    const shown = sites.show(args.show, args.cluster);
    parts.shown = [args.show, args.cluster];
    if (!shown.ok) { return resync("a shown row is missing"); }
    if (shown.changed) {
      parts.legend.update(sites.counts());
      parts.keyboard.reset();
    }
    if (args.large && !live.legendOpened) {
      // a room reads the legend from the start (elsewhere it starts folded)
      const details = box.querySelector(".mdm-legend details");
      if (details) { details.open = true; live.legendOpened = true; }
    }
    const reselected = sites.select(args.selected || []);
    live.resync = null;
    whenSized(function () { placeView(args, shown.changed, reselected); });
    live.lastRenderMs = window.performance.now() - started;
    if (live.firstDrawnMs === null) { live.firstDrawnMs = window.performance.now(); }
    say("");
  }

  /** Run once the map has a height (Leaflet cannot fit a view in an empty box). */
  function whenSized(action) {
    const map = live.map;
    if (map.getContainer().clientHeight > 0) {
      map.invalidateSize({pan: false});
      action();
      return;
    }
    const watch = new ResizeObserver(function () {
      if (map.getContainer().clientHeight > 0) {
        watch.disconnect();
        whenSized(action);
      }
    });
    watch.observe(map.getContainer());
  }

  function placeView(args, dataChanged, reselected) {
    const map = live.map, sites = parts.sites, selected = sites.selected();
    const place = args.place || null;
    if (!live.viewSet && args.view) {
      // a view from the link wins, once, over fitting and over a named view
      live.viewSet = true;
      live.placeKey = place ? place.key : null;
      map.setView(args.view.center, args.view.zoom, {animate: false});
      return;
    }
    if (place && place.key !== live.placeKey) {
      // a scene (or another named view) asks for its own view each time it changes
      live.placeKey = place.key;
      live.viewSet = true;
      if (place.bounds) {
        map.fitBounds(place.bounds, fitOptions(place.maxZoom));
        live.fits += 1;
      } else {
        map.setView(place.center, place.zoom, {animate: false});
      }
      return;
    }
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
    const justClicked = selected.length === 1 && sites.id(selected[0]) === live.clicked;
    if (reselected && selected.length && !justClicked) { fitTo(selected); }
  }

  function fitTo(indexes) {
    if (!indexes.length) { return; }
    let south = 90, west = 180, north = -90, east = -180;
    indexes.forEach(function (i) {
      const point = parts.sites.latLng(i);
      south = Math.min(south, point[0]);
      north = Math.max(north, point[0]);
      west = Math.min(west, point[1]);
      east = Math.max(east, point[1]);
    });
    live.map.fitBounds([[south, west], [north, east]], fitOptions());
    live.fits += 1;
  }

  /** Fit with a margin, and clear of the legend when it is open (sites behind it are hidden). */
  function fitOptions(maxZoom) {
    const details = live.map.getContainer().querySelector(".mdm-legend details");
    let right = FIT_PADDING;
    const legend = details && details.open ? details.parentNode.getBoundingClientRect().width : 0;
    if (live.map.getSize().x - legend > 300) { right += legend; }  // a narrow map fits under it
    // and clear of the credit line along the bottom
    const credit = live.map.getContainer().querySelector(".mdm-credits");
    const bottom = FIT_PADDING + (credit ? credit.getBoundingClientRect().height : 0);
    return {
      paddingTopLeft: [FIT_PADDING, FIT_PADDING],
      paddingBottomRight: [right, bottom],
      maxZoom: maxZoom || 13,
      animate: false
    };
  }

  /** A token that tells one report from the next (Python handles each once). */
  function token() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  }

  function openSite(i) {
    parts.sites.openPopup(i);
    live.clicked = parts.sites.id(i);
    live.clicks += 1;
    // A state value with a token of its own, not a trigger: Streamlit merges the triggers of
    // reruns asked for during a run and keeps only the last, so a click followed by another
    // trigger before Python ran would be lost. Python handles each token once.
    if (api) { tell("click", {site: live.clicked, token: token()}); }
  }

  /** Send Python a state value (each asks for a rerun), noting when. */
  function tell(name, value) {
    live.reportedMs = window.performance.now();
    api.setStateValue(name, value);
  }

  function currentView() {
    const map = live.map;
    if (!live.viewSet) { return null; }
    const centre = map.getCenter(), box = map.getBounds();
    const r5 = function (v) { return Math.round(v * 1e5) / 1e5; };
    return {
      center: [r5(centre.lat), r5(centre.lng)],
      zoom: Math.round(map.getZoom() * 100) / 100,
      bounds: [[r5(box.getSouth()), r5(box.getWest())], [r5(box.getNorth()), r5(box.getEast())]]
    };
  }

  /** Tell Python the view (a state value), only when it changed. */
  function reportView() {
    live.reportDue = false;
    const value = currentView();
    const text = JSON.stringify(value);
    if (!value || text === lastView || !api) { return; }
    lastView = text;
    tell("view", value);
  }

  /** Ask Python for what this map lacks, saying what it holds (a trigger value). */
  function resync(reason) {
    live.resync = token();
    live.resyncs += 1;
    live.resyncReason = reason;
    const have = parts.sites.held();
    have.base = live.baseVersion;
    have.overlays = live.overlaysVersion;
    have.registers = parts.registers.version();
    if (api) { tell("resync", {token: live.resync, have: have}); }
  }

  const view = {
    live: live,
    render: function (args, component) {
      api = component;
      try {
        render(args);
      } catch (error) {
        say("The map could not be drawn: " + error.message);
        throw error;
      }
    },
    sceneKey: function (step) {
      live.sceneKeys += 1;
      if (api) {
        live.reportedMs = window.performance.now();
        api.setTriggerValue("key", step);
      }
    },
    destroy: function () {
      window.removeEventListener("resize", fillWindow);
      stopSceneKeys(view);
      window.clearTimeout(reportTimer);
      live.reportDue = false;
      if (live.map) { live.map.remove(); }
    }
  };
  return view;
}

function publish(key, view, primary) {
  window.livemaps = window.livemaps || {};
  window.livemaps[key] = view.live;
  if (primary) {
    window.livemap = view.live;
    window.map = view.live.map;
  }
}

export default function (component) {
  const host = component.parentElement;
  const data = component.data || {};
  let view = mounted.get(host);
  if (!view) {
    view = LiveMapView(host);
    mounted.set(host, view);
  }
  // the handles name the Leaflet map once it is built (Leaflet may still be loading)
  view.onBuilt = function () { publish(data.key, view, data.primary); };
  view.render(data, component);
  publish(data.key, view, data.primary);
  // Streamlit may call this while a newer render is on its way: only a map whose element has
  // left the page is taken down
  return function () {
    window.setTimeout(function () {
      if (!host.isConnected && mounted.get(host) === view) {
        mounted.delete(host);
        view.destroy();
        if (window.livemaps && window.livemaps[data.key] === view.live) {
          delete window.livemaps[data.key];
        }
      }
    }, 0);
  };
}

/*
 * The keyboard route to the sites drawn on the canvas: one focusable list in the map whose
 * active option is the site in focus. Arrow keys move through the shown sites (by name), Enter
 * opens the site, Escape closes it; Tab leaves, so the frame is never a trap. A dashed ring
 * shows on the map which site has focus.
 *
 * This file is the one source of the keyboard route: the live map loads it, and the folium
 * pages (standalone export, embed) inline it (mapping/largedata.py). The same route serves
 * other points drawn on the map (the registers' firms and awards, registers.js): `words` gives
 * such a route its own name, help and class and id prefix, so two routes never share an id.
 */
(function () {
  "use strict";

  var element = LiveMap.Element;

  var STEPS = {ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, PageDown: 10, PageUp: -10};

  /** The sites' route: its class and id prefix, and the words it shows. */
  var SITES = {
    prefix: "mdm-nav",
    title: "Sites by keyboard",
    help: "Arrow keys: next or previous site. Home, End: first, last. Enter: open. Escape: close.",
    idle: "No site in focus",
    empty: "No sites are shown"
  };

  /**
   * `sites` (or other points) gives shown() (indices), name(i), accessibleName(i) and
   * latLng(i); `open(i)` opens one; `words` (optional) overrides SITES' entries.
   */
  LiveMap.Keyboard = function (L, map, sites, open, words) {
    var text = Object.assign({}, SITES, words || {});
    var prefix = text.prefix;
    var order = null, position = -1, current = null, made = 0;
    var list = element("div", prefix + "-list");
    var option = element("div", prefix + "-option", text.idle);
    var ring = L.marker([0, 0], {
      icon: L.divIcon({className: "mdm-focus-ring", iconSize: [32, 32]}),
      interactive: false,
      keyboard: false,
      pane: "mdm-highlight"
    });

    list.tabIndex = 0;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-labelledby", prefix + "-label");
    list.setAttribute("aria-describedby", prefix + "-help");
    option.setAttribute("role", "option");
    option.setAttribute("aria-selected", "true");
    list.appendChild(option);

    var control = L.control({position: "topleft"});
    control.onAdd = function () {
      var box = element("div", "mdm-box mdm-nav" + (prefix === SITES.prefix ? "" : " " + prefix));
      var label = element("div", prefix + "-label", text.title);
      label.id = prefix + "-label";
      var help = element("p", prefix + "-help", text.help);
      help.id = prefix + "-help";
      box.appendChild(label);
      box.appendChild(list);
      box.appendChild(help);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);

    // Pressing the mouse on the map focuses it (Leaflet's keyboard handler). Focus would scroll
    // the page to bring the whole map into view, moving it under the pointer between press and
    // release, so the click lands elsewhere: focus it first, without scrolling.
    var container = map.getContainer();
    if (!container.mdmFocusFirst) {  // one listener per map, however many routes
      container.mdmFocusFirst = true;
      container.addEventListener("mousedown", function (e) {
        var inBox = e.target.closest && e.target.closest(".leaflet-control, .leaflet-popup");
        if (!inBox && document.activeElement !== container) {
          container.focus({preventScroll: true});
        }
      }, true);
    }

    function sorted() {
      var names = {};
      return sites.shown().slice().sort(function (a, b) {
        var x = names[a] || (names[a] = sites.name(a).toLowerCase());
        var y = names[b] || (names[b] = sites.name(b).toLowerCase());
        return x < y ? -1 : x > y ? 1 : a - b;
      });
    }

    function ensureOrder() {
      if (!order) {
        order = sorted();
        position = current === null ? -1 : order.indexOf(current);
      }
    }

    function move(to) {
      ensureOrder();
      // each option gets a new id, so a screen reader announces the new active option
      made += 1;
      option.id = prefix + "-option-" + made;
      list.setAttribute("aria-activedescendant", option.id);
      if (!order.length) {
        current = null;
        option.textContent = text.empty;
        ring.remove();
        return;
      }
      position = Math.max(0, Math.min(order.length - 1, to));
      current = order[position];
      option.textContent = (position + 1) + " of " + order.length + ": " +
        sites.accessibleName(current);
      ring.setLatLng(sites.latLng(current)).addTo(map);
      map.panInside(sites.latLng(current), {padding: [60, 60]});
    }

    L.DomEvent.on(list, "focus", function () {
      if (current === null) { move(0); }
    });
    L.DomEvent.on(list, "keydown", function (e) {
      ensureOrder();
      if (Object.prototype.hasOwnProperty.call(STEPS, e.key)) {
        move(position + STEPS[e.key]);
      } else if (e.key === "Home") {
        move(0);
      } else if (e.key === "End") {
        move(Infinity);
      } else if (e.key === "Enter" || e.key === " ") {
        if (current !== null) { open(current); }
      } else if (e.key === "Escape") {
        map.closePopup();
      } else {
        return;  // Tab and the rest keep their usual meaning
      }
      L.DomEvent.preventDefault(e);
      L.DomEvent.stopPropagation(e);
    });

    return {
      /** Forget the order after the shown sites change (focus stays on a site still shown). */
      reset: function () {
        order = null;
        if (current !== null && sites.shown().indexOf(current) < 0) {
          current = null;
          position = -1;
          ring.remove();
          option.textContent = text.idle;
        }
      },
      focused: function () { return current; }
    };
  };
})();

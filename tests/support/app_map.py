"""Helpers for the app's browser tests: find the live map and read what it draws.

The live map (:mod:`mapping.livemap`, a Components v2 component: no iframe) is part of the
page. The page's main map is ``window.map`` (Leaflet) and its state ``window.livemap``; these
helpers read them, and wait for the page to settle.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Frame, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

#: The live map's element on the page (its section, named for screen readers).
FRAME = "section.mdm-main"


def map_frame(page: Page, *, timeout_s: float = 60) -> Frame:
    """Return the frame that holds the live map (the page's own) once its sites are drawn."""
    page.locator(FRAME).first.wait_for(timeout=timeout_s * 1000)
    page.main_frame.wait_for_function(
        "() => window.livemap && window.map && livemap.firstDrawnMs !== null",
        timeout=timeout_s * 1000,
    )
    return page.main_frame


def in_map(page: Page, script: str, arg: Any = None) -> Any:
    """Run ``script`` (a JavaScript function) in the map's frame and return its result."""
    return map_frame(page).evaluate(script, arg)


def drawn_ids(page: Page) -> list[str]:
    """The ids of the sites the map draws now (each on the map, not only listed), sorted."""
    return sorted(
        in_map(
            page,
            """() => { const s = livemap.sites;
               return s.shown().filter(i => map.hasLayer(s.marker(i)) ||
                 (s.marker(i).__parent && map.hasLayer(s.marker(i).__parent)))
                 .map(i => s.id(i)); }""",
        )
    )


def wait_for_drawn(page: Page, count: int) -> None:
    """Wait until the map shows exactly ``count`` sites."""
    map_frame(page).wait_for_function(
        "n => livemap.sites.shown().length === n", arg=count, timeout=60_000
    )


def highlighted_ids(page: Page) -> list[str]:
    """The ids of the sites the map highlights (the table's choice or the card's site)."""
    return sorted(in_map(page, "() => livemap.sites.selected().map(i => livemap.sites.id(i))"))


def view(page: Page) -> dict[str, float]:
    """The map's view: zoom, centre and bounds."""
    found: dict[str, float] = in_map(
        page,
        """() => { const b = map.getBounds(), c = map.getCenter();
           return {zoom: map.getZoom(), lat: c.lat, lon: c.lng, south: b.getSouth(),
                   west: b.getWest(), north: b.getNorth(), east: b.getEast()}; }""",
    )
    return found


def marker_texts(page: Page) -> list[tuple[str, str]]:
    """Open each drawn site's popup and tooltip, as a curious reader would; return their text."""
    pairs = in_map(
        page,
        """() => { const s = livemap.sites, out = [];
           for (const i of s.shown()) {
             // the popup just opened (a closed one fades out for a moment)
             const popup = s.openPopup(i).getElement().querySelector('.leaflet-popup-content');
             const marker = s.marker(i);
             marker.fire('mouseover', {latlng: marker.getLatLng()}, true);
             const tips = document.querySelectorAll('.leaflet-tooltip');
             const tip = tips[tips.length - 1];
             out.push([popup ? popup.textContent : '', tip ? tip.textContent : '']);
             marker.fire('mouseout', {}, true);
           }
           map.closePopup();
           return out; }""",
    )
    return [(str(popup), str(tip)) for popup, tip in pairs]


def click_site(page: Page, site_id: str, *, zoom: float = 12) -> None:
    """Centre the map on a site at ``zoom``, then click its marker with the mouse."""
    page.locator(FRAME).first.scroll_into_view_if_needed()
    frame = map_frame(page)
    lat, lon = frame.evaluate(
        """id => { const s = livemap.sites; const i = s.shown().find(k => s.id(k) === id);
           return s.latLng(i); }""",
        site_id,
    )
    frame.evaluate("([ll, z]) => { map.setView(ll, z, {animate: false}); }", [[lat, lon], zoom])
    settle(page)
    x, y = frame.evaluate(
        """ll => { const p = map.latLngToContainerPoint(ll);
           const r = map.getContainer().getBoundingClientRect();
           return [r.left + p.x, r.top + p.y]; }""",
        [lat, lon],
    )
    page.mouse.click(x, y)


#: Run in every test page before the page's own scripts (``SharedCache(init_script=...)``):
#: notes when the app's script run last finished, as the app's root element says
#: (Streamlit's ``data-test-script-state``: "running", then "notRunning"), and when the reader
#: last clicked, pressed a key or typed.
WATCH_RUNS = """(() => {
  if (window.mdmRuns) { return; }
  // watching from now on a page that is idle: its runs so far count as finished now
  const app = document.querySelector('[data-testid="stApp"]');
  const idle = app && app.getAttribute("data-test-script-state") === "notRunning";
  const runs = window.mdmRuns = {finishedMs: idle ? performance.now() : 0, inputMs: null};
  // a reader's click, key or typing may ask the app to run again
  for (const kind of ["pointerdown", "keydown", "input", "change"]) {
    window.addEventListener(kind, function () { runs.inputMs = performance.now(); }, true);
  }
  new MutationObserver(function (records) {
    for (const record of records) {
      if (record.target.getAttribute("data-test-script-state") === "notRunning") {
        runs.finishedMs = performance.now();
      }
    }
  }).observe(document, {attributes: true, subtree: true,
                        attributeFilter: ["data-test-script-state"]});
})();"""

#: True when the app is not running and has finished a run since ``since`` (a
#: ``performance.now()`` time, or null for none), or ``due`` ms have passed since then: a run
#: that is quick on a busy page can start and finish within one of the page's tasks, leaving
#: the root element's state unchanged, so a run is not always seen.
_FINISHED_SINCE = """([since, due]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") { return false; }
  if (document.querySelector('[data-testid="stStatusWidget"]')) { return false; }
  return since === null || window.mdmRuns.finishedMs > since || performance.now() - since > due;
}"""

#: How long after something asked for a run a run that was not seen is taken as over.
_RUN_DUE_MS = 1000


def watch_runs(page: Page) -> None:
    """Note the app's runs on a page opened without :data:`WATCH_RUNS` (from now on)."""
    page.evaluate(WATCH_RUNS)


def settle(page: Page) -> None:
    """Wait until the map has told Python all it has to, and the app's run that followed the
    last report or the reader's last input is over.

    The map tells Python of a moved view a moment after the move (``livemap.reportDue``) and
    notes when it last told it anything (``livemap.reportedMs``); each report, like a click on
    a widget, makes the app run again.
    """
    watch_runs(page)
    page.wait_for_function("""() => !(window.livemap && livemap.reportDue)""", timeout=60_000)
    since = page.evaluate(
        """() => { const times = [window.livemap && livemap.reportedMs, mdmRuns.inputMs]
             .filter(t => typeof t === "number");
           return times.length ? Math.max(...times) : null; }"""
    )
    try:
        page.wait_for_function(_FINISHED_SINCE, arg=[since, _RUN_DUE_MS], timeout=60_000)
    except PlaywrightTimeoutError as exc:
        raise AssertionError(f"the app did not settle: {page.evaluate(_RUN_STATE)}") from exc


#: What the waits look at, for a failure message.
_RUN_STATE = """() => ({
  now: performance.now(),
  scriptState: (document.querySelector('[data-testid="stApp"]') || {getAttribute: () => null})
    .getAttribute("data-test-script-state"),
  statusWidget: !!document.querySelector('[data-testid="stStatusWidget"]'),
  statusText: (document.querySelector('[data-testid="stStatusWidget"]') || {}).textContent,
  runsFinishedMs: window.mdmRuns ? mdmRuns.finishedMs : null,
  reportDue: window.livemap ? livemap.reportDue : null,
  reportedMs: window.livemap ? livemap.reportedMs : null})"""

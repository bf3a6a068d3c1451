"""The Streamlit app checked for WCAG 2.2 AA in Chromium with axe-core, view by view.

axe-core comes from npm (``node_modules/axe-core``) and is injected from its file into the page
and into every frame on it: axe does not look inside a frame it was not injected into, so each
frame is audited as its own document. The live map (a Components v2 component) is part of the
page, so the page's audit covers it; no view has a frame left.

Every view must have no serious or critical violation. Lesser ones are allowed only if listed in
:data:`KNOWN_MINOR` with the reason we cannot or do not fix them. The counts per view and frame
are printed and written to ``tests/artifacts/axe-app.md`` (the README records them).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Frame, Page

import settings
from tests.support.app_map import map_frame, settle
from tests.support.browser import ARTIFACTS, SharedCache

pytestmark = pytest.mark.browser
AXE = settings.ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

#: Violations below "serious" that remain, each with why; any other violation fails.
KNOWN_MINOR: dict[str, str] = {
    "presentation-role-conflict": (
        "minor, page: Streamlit's file uploader (the sidebar's 'Overlay your own list') draws its "
        "drop zone as <section role=presentation aria-label=...>; the label makes the role "
        "conflict. It is Streamlit's markup: no theme or CSS changes a role"
    ),
}

#: The views of the app opened at "/" (the Sites tab is open by default), each reached by
#: clicking its tab on one page, in this order: (view, tab clicked or None).
TABS = [
    ("default", None),
    ("Areas tab", "Areas"),
    ("Defence Belt tab", "Defence Belt"),
    ("Export tab", "Export"),
    ("Data and sources tab", "Data and sources"),
    ("Sites tab (back from another)", "Sites"),
]

#: What each view showed: view -> frame -> {rule id: (impact, node count)}.
FOUND: dict[str, dict[str, dict[str, tuple[str, int]]]] = {}


@pytest.fixture(scope="module", autouse=True)
def counts_report() -> Iterator[None]:
    """Print the violation counts per view and frame, and write them beside the artifacts."""
    yield
    lines = [
        "# axe-core on the app: violations per view and frame",
        "",
        "| View | Frame | Serious or critical | Moderate or minor | Rules |",
        "| --- | --- | --- | --- | --- |",
    ]
    for view, frames in FOUND.items():
        for frame, rules in frames.items():
            serious = sum(n for impact, n in rules.values() if impact in SERIOUS)
            lesser = sum(n for impact, n in rules.values() if impact not in SERIOUS)
            named = ", ".join(f"{rule} ({impact}, {n})" for rule, (impact, n) in rules.items())
            lines.append(f"| {view} | {frame} | {serious} | {lesser} | {named or 'none'} |")
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-app.md").write_text(text, encoding="utf-8")


def frame_label(frame: Frame, page: Page) -> str:
    """Name a frame by what it holds."""
    if frame == page.main_frame:
        return "page"
    return frame.url


def run_axe(frame: Frame) -> list[dict]:
    """Inject axe-core into ``frame`` and return its violations in that document alone."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run 'npm ci' (make setup) to install axe-core")
    if not frame.evaluate("() => !!window.axe"):
        frame.add_script_tag(path=str(AXE))
    return frame.evaluate(
        """async () => {
            const result = await axe.run(document, {iframes: false, resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact,
                nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}));
        }"""
    )


def audit(page: Page, view: str) -> dict[str, list[dict]]:
    """Run axe in the page and in each of its frames; record and return what each shows."""
    found: dict[str, list[dict]] = {}
    for frame in page.frames:
        if frame.url in ("", "about:blank"):
            continue
        label = frame_label(frame, page)
        if label in found:  # a second frame of the same kind
            label = f"{label} {sum(name.startswith(label) for name in found) + 1}"
        found[label] = run_axe(frame)
    FOUND[view] = {
        label: {v["id"]: (v["impact"], len(v["nodes"])) for v in violations}
        for label, violations in found.items()
    }
    return found


def check(found: dict[str, list[dict]]) -> None:
    """No serious or critical violation anywhere, and every lesser one explained."""
    blocking = {
        label: [v for v in violations if v["impact"] in SERIOUS]
        for label, violations in found.items()
    }
    assert all(not v for v in blocking.values()), blocking
    unexplained = {
        label: [v for v in violations if v["id"] not in KNOWN_MINOR]
        for label, violations in found.items()
    }
    assert all(not v for v in unexplained.values()), (
        f"a new violation needs a fix or a reason: {unexplained}"
    )


def open_view(browser: SharedCache, url: str) -> Page:
    """Open ``url`` and wait until the live map has drawn and the app's run is over."""
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    page.goto(url)
    map_frame(page)
    settle(page)
    return page


@pytest.fixture(scope="module")
def home(browser: SharedCache, app_url: str) -> Iterator[Page]:
    """The app at "/", shared by the views reached by its tabs (each view only reads it)."""
    page = open_view(browser, app_url)
    yield page
    page.close()


def open_tab(page: Page, tab: str) -> None:
    """Click ``tab`` (unless it is open) and wait for the app's run that draws its content."""
    chosen = page.get_by_role("tab", name=tab)
    if chosen.get_attribute("aria-selected") != "true":
        chosen.click()
        settle(page)
    assert chosen.get_attribute("aria-selected") == "true"
    # only the open tab's content is drawn, by the run the click starts: wait until it is there
    page.wait_for_function(
        """() => [...document.querySelectorAll('[role=tabpanel]')]
             .some(p => p.offsetParent !== null &&
                        p.querySelector('[data-testid=stElementContainer]'))""",
        timeout=60_000,
    )


def audited(page: Page, view: str) -> dict[str, list[dict]]:
    """Audit ``page`` as ``view``; the live map must be part of the page, with no frame."""
    found = audit(page, view)
    assert page.locator("section.mdm-main .leaflet-container").count() >= 1
    assert set(found) == {"page"}, f"a frame is back on the page: {set(found)}"
    return found


@pytest.mark.parametrize(("view", "tab"), TABS, ids=[view for view, _ in TABS])
def test_each_view_has_no_serious_or_critical_violation(
    home: Page, view: str, tab: str | None
) -> None:
    if tab is not None:
        open_tab(home, tab)
    check(audited(home, view))


def test_a_filtered_view_has_no_serious_or_critical_violation(
    browser: SharedCache, app_url: str
) -> None:
    page = open_view(browser, app_url + "/?cap=combat_air")
    found = audited(page, "filtered (combat air)")
    page.close()
    check(found)


def test_the_live_map_names_itself(home: Page) -> None:
    region = home.get_by_role("region", name="Map of Midlands defence sites")
    assert region.count() == 1
    assert region.locator(".leaflet-container").count() == 1
    assert home.locator("main").count() == 1  # the page's own main; the map adds none


def presenter_view(browser: SharedCache, app_url: str) -> dict[str, list[dict]]:
    """Open the overview scene in presenter mode, at projector size, and audit it."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(app_url + "/?scene=overview")
    page.get_by_role("button", name="Next ▶").wait_for(timeout=60_000)
    page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=60_000)
    map_frame(page)  # the scene's live map has drawn its sites
    found = audit(page, "presenter (overview)")
    page.close()
    return found


@pytest.fixture(scope="module")
def presenter_found(browser: SharedCache, app_url: str) -> dict[str, list[dict]]:
    """What axe finds in presenter mode's overview scene, frame by frame."""
    return presenter_view(browser, app_url)


def test_presenter_mode_has_no_serious_or_critical_violation(
    presenter_found: dict[str, list[dict]],
):
    assert set(presenter_found) == {"page"}, "the scene's map and keys are part of the page"
    check(presenter_found)

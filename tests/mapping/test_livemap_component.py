"""The live map's frontend module: one ES module, no frame protocol, no Leaflet privates."""

from __future__ import annotations

import re

from mapping.livemap.component import FRONTEND_DIR, FRONTEND_SCRIPTS, frontend_css, frontend_module


def test_the_module_bundles_every_script_once_in_order_with_one_default_export():
    module = frontend_module()
    assert module.startswith("const LiveMap = {};")
    places = [module.index(f"// ---- {name}\n") for name in FRONTEND_SCRIPTS]
    assert places == sorted(places)
    assert len(re.findall(r"^export default ", module, flags=re.MULTILINE)) == 1
    # every drawing module registers on the bundle's object, none on window
    for name in ("Element", "ShapeSvg", "Sites", "Legend", "Keyboard"):
        assert f"LiveMap.{name} = " in module, name
    assert "window.LiveMap" not in module


def test_no_frame_protocol_and_no_leaflet_privates():
    module = frontend_module()
    for gone in ("postMessage", "streamlit:render", "setFrameHeight", "componentReady"):
        assert gone not in module, gone
    assert not re.search(r"\bmap\._\w", module), "a Leaflet private is used"
    assert not re.search(r"\blive\.map\._\w", module), "a Leaflet private is used"


def test_the_styles_touch_only_the_map():
    css = frontend_css()
    # the map is part of the app's page: no rule may restyle the page itself
    selectors = re.findall(r"(?:^|})\s*([^{}]+)\{", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    for selector in selectors:
        for part in selector.split(","):
            assert not re.match(r"\s*(html|body)\b", part), part
    assert (
        (FRONTEND_DIR / "index.html")
        .read_text(encoding="utf-8")
        .lstrip()
        .startswith('<section class="mdm-main"')
    )

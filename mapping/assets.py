"""Leaflet and its plugins from local files, so the map draws with no internet.

folium asks CDNs for Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers and each plugin's
scripts. At set-up (``make assets``) the npm packages of the same libraries are copied from
``node_modules`` into ``static/vendor``; a map is then pointed at them, either served by Streamlit
(``/app/static/vendor/...``) or inlined into a standalone HTML file. Where set-up was skipped the
CDN links stay, with a warning.

Command line::

    python -m mapping.assets install
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import re
import shutil
import sys
from pathlib import Path

import folium
from branca.element import Element

import settings

logger = logging.getLogger(__name__)

NODE_MODULES: Path = settings.ROOT / "node_modules"
VENDOR_DIR: Path = settings.ROOT / "static" / "vendor"
#: Where Streamlit serves ``static/vendor`` (``enableStaticServing``).
SERVED_URL: str = "/app/static/vendor"

#: folium resource name -> file under node_modules (the same file the CDN link names).
RESOURCES: dict[str, str] = {
    "leaflet": "leaflet/dist/leaflet.js",
    "leaflet_css": "leaflet/dist/leaflet.css",
    "jquery": "jquery/dist/jquery.min.js",
    "bootstrap": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "bootstrap_css": "bootstrap/dist/css/bootstrap.min.css",
    "awesome_markers": "leaflet.awesome-markers/dist/leaflet.awesome-markers.min.js",
    "awesome_markers_css": "leaflet.awesome-markers/dist/leaflet.awesome-markers.css",
    "awesome_markers_font_css": "@fortawesome/fontawesome-free/css/all.min.css",
    "markerclusterjs": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/dist/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "leaflet-heat.js": "leaflet.heat/dist/leaflet-heat.js",
}
#: Folders the stylesheets refer to (marker images, icon fonts).
_SUPPORT_DIRS: tuple[str, ...] = (
    "leaflet/dist/images",
    "leaflet.awesome-markers/dist/images",
    "@fortawesome/fontawesome-free/webfonts",
)
#: Resources folium adds that this map never uses and no npm package provides.
UNUSED: frozenset[str] = frozenset({"glyphicons_css", "awesome_rotate_css"})
#: What a standalone page needs (it draws its own SVG markers, so no icon fonts).
STANDALONE: frozenset[str] = frozenset(
    {
        "leaflet",
        "leaflet_css",
        "jquery",
        "markerclusterjs",
        "markerclustercss",
        "markerclusterdefaultcss",
        "leaflet-heat.js",
    }
)


def install(source: Path = NODE_MODULES, target: Path = VENDOR_DIR) -> list[Path]:
    """Copy the npm packages' files into ``target``; return the files copied.

    Raises ``FileNotFoundError`` naming the missing file and the command that installs it.
    """
    copied: list[Path] = []
    for relative in [*RESOURCES.values(), *_SUPPORT_DIRS]:
        origin = source / relative
        if not origin.exists():
            raise FileNotFoundError(f"{origin} is missing: run 'npm ci' in {settings.ROOT}")
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True)
        else:
            shutil.copy2(origin, destination)
        copied.append(destination)
    (target / ".installed").write_text("copied from node_modules by mapping.assets\n")
    return copied


def installed(target: Path = VENDOR_DIR) -> bool:
    """Say whether the local assets are in place."""
    return all((target / relative).is_file() for relative in RESOURCES.values())


def localise(fmap: folium.Map, *, base_url: str = SERVED_URL, target: Path = VENDOR_DIR) -> None:
    """Point every asset link of ``fmap`` and its children at ``base_url`` (served copies).

    Leaves the CDN links (with a warning) where the local copies are not installed.
    """
    if not installed(target):
        logger.warning("local map assets are not installed (run 'make assets'); using CDNs")
        return
    for element in _walk(fmap):
        for attribute in ("default_js", "default_css"):
            links = getattr(element, attribute, None)
            if not links:
                continue
            setattr(
                element,
                attribute,
                [
                    (name, f"{base_url}/{RESOURCES[name]}" if name in RESOURCES else url)
                    for name, url in links
                    if name not in UNUSED
                ],
            )


def _walk(element: Element) -> list[Element]:
    found = [element]
    for child in element._children.values():
        found.extend(_walk(child))
    return found


def inline_html(html: str, *, target: Path = VENDOR_DIR) -> str:
    """Return ``html`` with every local asset link replaced by the file's content.

    Scripts become inline ``<script>`` blocks and stylesheets ``<style>`` blocks whose images are
    data URIs, so the page opens from a USB stick with no network. Links to assets the
    standalone page does not need are dropped.
    """
    if not installed(target):
        raise FileNotFoundError(f"local map assets are missing in {target}: run 'make assets'")
    by_path = {relative: name for name, relative in RESOURCES.items()}

    def script(match: re.Match[str]) -> str:
        relative = match.group(1)
        if by_path.get(relative) not in STANDALONE:
            return ""
        code = (target / relative).read_text(encoding="utf-8")
        return "<script>" + code.replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match[str]) -> str:
        relative = match.group(1)
        if by_path.get(relative) not in STANDALONE:
            return ""
        path = target / relative
        css = path.read_text(encoding="utf-8")
        css = re.sub(
            r"url\((['\"]?)([^)'\"]+)\1\)",
            lambda m: f"url({_data_uri(path.parent / m.group(2))})",
            css,
        )
        return f"<style>{css}</style>"

    prefix = re.escape(SERVED_URL)
    html = re.sub(rf'<script src="{prefix}/([^"]+)"></script>', script, html)
    return re.sub(rf'<link rel="stylesheet" href="{prefix}/([^"]+)"/>', style, html)


def _data_uri(path: Path) -> str:
    if not path.is_file():
        return "data:,"
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def main(argv: list[str] | None = None) -> int:
    """Run the assets command line (``install``)."""
    args = argv if argv is not None else sys.argv[1:]
    if args != ["install"]:
        print("usage: python -m mapping.assets install", file=sys.stderr)
        return 2
    try:
        copied = install()
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"installed {len(copied)} asset files into {VENDOR_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

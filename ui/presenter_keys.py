"""A clicker drives presenter mode: arrow keys and PageUp/PageDown move between scenes.

A clicker sends PageDown/PageUp (or the arrow keys). The page listens for them and presses the
presenter's own "Next" and "Previous" buttons, so a key does exactly what a click does. Keys
typed into a form field are left alone.
"""

from __future__ import annotations

import streamlit.components.v1 as components

#: Button keys the listener presses (Streamlit gives each keyed element the class st-key-<key>).
NEXT_KEY = "scene_next"
PREVIOUS_KEY = "scene_previous"

_LISTENER = """<!doctype html>
<html lang="en-GB"><head><title>Presenter keys</title></head><body>
<script>
(() => {
  const page = window.parent.document;
  if (page.__mdmSceneKeys) { return; }
  page.__mdmSceneKeys = true;
  const forward = new Set(["ArrowRight", "ArrowDown", "PageDown"]);
  const backward = new Set(["ArrowLeft", "ArrowUp", "PageUp"]);
  page.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (target && (target.isContentEditable ||
        ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) { return; }
    const key = forward.has(event.key) ? "NEXT_KEY"
      : backward.has(event.key) ? "PREVIOUS_KEY" : null;
    if (!key) { return; }
    const button = page.querySelector(".st-key-" + key + " button");
    if (!button) { return; }
    event.preventDefault();
    button.click();
  });
})();
</script></body></html>""".replace("NEXT_KEY", NEXT_KEY).replace("PREVIOUS_KEY", PREVIOUS_KEY)


def listen_for_scene_keys() -> None:
    """Install the key listener on the page (once per page; a no-op on later reruns)."""
    components.html(_LISTENER, height=0)

"""A clicker drives presenter mode, and the speaker notes follow the scene in their own window.

The clicker's keys (arrows, PageUp/PageDown) are heard by the scene's own live map
(:func:`mapping.livemap.live_map` with ``scene_keys=True``), on the whole page, wherever the
focus is. This module holds the buttons' keys and the small component that keeps a notes
window (``&notes=1``, on a second screen) on the presenter's scene: the presenter's page says
its scene on a ``BroadcastChannel`` of the browser, and the notes window follows it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

#: Keys of the presenter's buttons (Streamlit gives each keyed element the class st-key-<key>).
NEXT_KEY = "scene_next"
PREVIOUS_KEY = "scene_previous"
#: The browser channel the presenter's page and its notes window share.
CHANNEL = "mdm-presenter-scene"

# A module of its own: one channel per page; the lead page says its scene at each render and
# answers a notes window that opens later; a follower reports each scene it hears.
_FOLLOW_JS = """
let channel = null, current = null, follow = null;
function open(name) {
  if (!channel && typeof BroadcastChannel === "function") {
    channel = new BroadcastChannel(name);
    channel.onmessage = function (event) {
      const message = event.data || {};
      if (message.ask && current) { channel.postMessage({scene: current}); }
      if (message.scene && follow) { follow(message.scene); }
    };
  }
  return channel;
}
export default function (component) {
  const data = component.data || {};
  const line = open(data.channel);
  if (!line) { return; }
  if (data.role === "lead") {
    follow = null;
    current = data.scene;
    line.postMessage({scene: current});
  } else {
    current = null;
    follow = function (scene) {
      if (scene !== data.scene) { component.setTriggerValue("scene", scene); }
    };
    line.postMessage({ask: true});
  }
}
"""
_declared: list[Any] = []


def _component() -> Any:
    if not _declared:
        _declared.append(st.components.v2.component("mdm_scene_channel", js=_FOLLOW_JS))
    return _declared[0]


def _ignore() -> None:
    """Do nothing: the follower's scene is read from what the mount returns."""


def say_scene(scene_query: str) -> None:
    """On the presenter's page: tell any notes window the scene shown (its URL query)."""
    _component()(
        key="scene-channel",
        data={"channel": CHANNEL, "role": "lead", "scene": scene_query},
        height="content",
    )


def follow_scene(scene_query: str) -> str | None:
    """In a notes window: return the presenter's scene (its URL query) when it has moved on."""
    result = _component()(
        key="scene-channel",
        data={"channel": CHANNEL, "role": "follow", "scene": scene_query},
        height="content",
        on_scene_change=_ignore,
    )
    heard = result.get("scene")
    return heard if isinstance(heard, str) and heard != scene_query else None

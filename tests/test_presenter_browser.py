"""Presenter mode in Chromium: a clicker's keys (arrows, PageUp/PageDown) move between scenes,
and the year travels with them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

import settings
from mapping import scenes
from tests.support.browser import offline_page, streamlit_server

pytestmark = pytest.mark.browser


def wait_for_scene(page: Page, key: str) -> None:
    page.wait_for_url(f"**scene={key}*", timeout=30_000)
    page.get_by_role("heading", name=scenes.scene_by_key(key).title, exact=True).wait_for(
        timeout=30_000
    )


def test_clicker_keys_move_between_scenes_and_keep_the_year(browser: Browser, boundaries_dir: Path):
    order = [scene.key for scene in scenes.SCENES]
    with streamlit_server(sites_csv=settings.SITES_CSV, boundaries_dir=boundaries_dir) as url:
        page = offline_page(browser, [], height=1100)
        page.goto(f"{url}/?scene={order[0]}&year=2027")
        wait_for_scene(page, order[0])
        page.get_by_test_id("stButton").first.wait_for()
        # the listener is installed by a small frame that loads after the page: wait for it
        page.wait_for_function("() => document.__mdmSceneKeys === true", timeout=60_000)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")

        page.keyboard.press("PageDown")
        wait_for_scene(page, order[1])
        page.keyboard.press("ArrowRight")
        wait_for_scene(page, order[2])
        page.keyboard.press("PageUp")
        wait_for_scene(page, order[1])
        page.keyboard.press("ArrowLeft")
        wait_for_scene(page, order[0])
        page.keyboard.press("ArrowLeft")  # wraps round to the last scene
        wait_for_scene(page, order[-1])
        assert "year=2027" in page.url
        last = len(order)
        page.get_by_text(f"2027 · scene {last} of {last}").wait_for(timeout=30_000)

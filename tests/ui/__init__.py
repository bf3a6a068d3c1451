"""Tests of the ui package and the app page, one file per module."""

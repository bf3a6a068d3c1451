"""Tests of the layers package (geography and data), one file per module."""

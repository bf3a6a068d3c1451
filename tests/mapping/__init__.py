"""Tests of the mapping package (drawing and exports), one file per module."""

"""Helpers shared by the tests: fixtures, pages, servers; one helper for each."""

"""The page's tabs, one module each: sites, areas, the belt, exports, data and sources."""

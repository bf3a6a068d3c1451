"""The data exports, one module per format, all made from one :class:`layers.selection.Selection`.

``tables`` turns a selection into export-ready tables (sites, corridor, areas); ``geojson``,
``geopackage``, ``kml`` and ``csv_table`` write them with the provenance of
:mod:`mapping.credits` in the way each format allows.
"""

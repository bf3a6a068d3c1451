"""The Streamlit interface, one job to a module: ``app.py`` wires these to the page.

``ui`` may import :mod:`layers` and :mod:`mapping`; they never import ``ui``. Every string that
comes from a link, a file or the registry passes through :mod:`ui.text` before it reaches
Streamlit Markdown.
"""

"""Streamlit pages of the romcam dashboard (``app.py`` is the thin entry point).

One module per page, each exposing ``<name>_page()``; ``widgets`` holds the small shared pieces.
``*_ui()`` functions draw widgets and return plain values. No measurement maths lives here: the
pages call the core (pipeline, measure, rom, compare) and the store.
"""

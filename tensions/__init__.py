"""Regional tensions: curated event data, validation, geocoding, filtering and figures.

This package never imports Streamlit, so the CLI, the tests and the pages share one implementation.
"""

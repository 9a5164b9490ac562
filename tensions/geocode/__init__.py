"""Geocoding when data is curated: the gazetteer first, then, only when asked, Nominatim via geopy.

A page load never calls anything here that touches the network; answers from the online geocoder
are written back to `places.csv` so the next lookup is local.
"""

"""Placing events: the gazetteer first, then (only when asked) an online geocoder."""

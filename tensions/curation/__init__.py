"""Changing the curated data: who may curate, the one save function, and drafting events from an article."""

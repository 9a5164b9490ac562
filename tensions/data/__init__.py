"""The data layer: taxonomy and schema (the one source of truth), validation, loading, actors, places, safe writes."""

"""Article intake: the places, actors, dates and event types a news report names, proposed as draft events."""

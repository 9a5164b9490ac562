"""The timeline: `builder.event_timeline` draws events in swimlanes over time, with panels and a key below."""

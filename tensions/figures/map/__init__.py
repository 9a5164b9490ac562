"""The event map on the offline basemap: `builder.event_map`, its modes' traces, and clicks back to events."""

"""Files made for people outside the app: briefing slides (PNG, SVG, PowerPoint) and the data card's generated tables."""

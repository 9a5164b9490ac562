"""Figure builders: each takes a DataFrame and keyword-only options and returns a `go.Figure`."""

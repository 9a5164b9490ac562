"""The benchmark: synthetic events at scale, and loading, filtering and figure building measured on them."""

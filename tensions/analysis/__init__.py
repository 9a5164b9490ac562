"""Pure computations over loaded events: filters, headline figures, the tension index and trends, actors, briefs."""

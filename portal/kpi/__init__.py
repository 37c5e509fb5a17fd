"""KPIs and market monitoring: import care data, compute the figures in the database."""

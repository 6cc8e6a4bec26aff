"""The knowledge model, the Markdown vault and its projections (graph store, vector index)."""

"""Neo4j Bloom: the perspective wikigraph ships (perspective.json) and the Cypher in it."""

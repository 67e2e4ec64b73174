"""Tables and provenance: read the engines' JSON outputs, write CSV. Knows no physics engine."""

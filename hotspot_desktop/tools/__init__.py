"""Tools: the plugin contract (base), discovery (registry), built-ins and provenance."""

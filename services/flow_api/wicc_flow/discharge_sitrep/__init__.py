"""The derived daily acute discharge sitrep of each trust, and its recount."""

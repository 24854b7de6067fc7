"""OPEL: scoring an organisation's pressure from its inputs, combining scores into a
system score, damping level changes, and the rules for declarations and action cards.

Everything here is pure (no I/O beyond reading the configuration files, no framework,
time passed in), so the HTTP routes, tables and workers build on it unchanged.
"""

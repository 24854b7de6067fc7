"""Pure domain rules shared by the services: one module per rule, no I/O.

Capacity computes its read models with these, the board projection and escalation
recompute from events with the same functions, so a figure never means two things.
"""

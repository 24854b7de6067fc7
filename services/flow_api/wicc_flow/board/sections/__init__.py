"""What the board shows, one section per capability. Each section follows its own event
types, keeps its own part of the picture (checkpointed with the rest) and adds its own
keys to a snapshot. A capability adds a section here, never to another's."""

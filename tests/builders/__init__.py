"""Data builders for tests: functions with keyword defaults, one module per concept."""

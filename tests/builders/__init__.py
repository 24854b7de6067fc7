"""Test data builders: functions with keyword defaults, no shared mutable fixtures."""

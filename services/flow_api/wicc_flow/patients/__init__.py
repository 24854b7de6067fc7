"""Patients ready to leave hospital: the discharge-ready list and what is derived from it."""

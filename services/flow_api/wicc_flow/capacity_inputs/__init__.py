"""What flow learns from the capacity service's events: care capacity (for demand against
capacity) and each trust's sitrep `nctr_patients` (for the discharge sitrep's check)."""

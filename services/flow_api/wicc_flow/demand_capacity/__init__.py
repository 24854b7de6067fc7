"""Demand against capacity: patients waiting per locality and pathway, against the
care free to take them."""

"""Reports over the discharge-ready list: lost bed days."""

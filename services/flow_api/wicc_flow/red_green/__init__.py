"""Red and green days: each discharge-ready patient's day marked at the board round."""

"""Working days (State Council holidays and 调休) and statutory deadlines, kept as dated data."""

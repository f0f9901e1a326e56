"""Units (市场主体): their profile, history and yearly lifecycle."""

"""The view from above the counties: a city (市局) or the province (省局) reads every county's progress and
the roll-up, with no county's personal data and no write of any kind."""

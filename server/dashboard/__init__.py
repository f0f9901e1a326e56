"""The county's and each station's progress against the year's targets."""

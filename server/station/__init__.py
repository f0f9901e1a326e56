"""Counties, their stations (所/分局) and the yearly targets."""

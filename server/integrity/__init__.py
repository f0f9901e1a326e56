"""The integrity check: every contradiction between stages, evidence, signs, business status, station and
the dashboard's counts."""

"""Handling complaints (投诉) and reports (举报) within their statutory deadlines."""

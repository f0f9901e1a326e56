"""Rendering printable documents (the inspection report) to PDF. Knows no domain: HTML in, PDF bytes out."""

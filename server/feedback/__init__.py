"""Consumer feedback: experience evaluations and complaints/reports."""

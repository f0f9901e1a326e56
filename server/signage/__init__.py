"""Signs (标识): issuing, printing with QR codes, and their history."""

"""QR payloads and printable signs: a leaf that knows nothing of units, stations or the database.

payload — the versioned URL a sign's QR code carries (pure functions);
font    — finding a CJK font and checking it covers every character;
render  — one sign as an image / PNG at 300 DPI;
pdf     — a streaming PDF writer, one JPEG page at a time.
"""

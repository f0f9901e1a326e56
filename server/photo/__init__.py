"""Photos: content-addressed uploads from the field app, their thumbnails and who may see them."""

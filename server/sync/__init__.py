"""The sync API for the field app: pull from a cursor, push a batch of device-made changes."""

"""The wire contract: marshmallow schemas of every request and response body.

Pure: nothing here imports from server/. Importing the package installs the Chinese
messages for marshmallow's built-in errors (see schemas.zh) and the limits every field keeps
(see schemas.bounds).
"""
from schemas import bounds, zh  # noqa: F401

"""Who is acting in this request or command, for scoping and the audit log."""
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The person behind a change: user id (None for the system) and the device or client."""

    user_id: int | None
    device: str


SYSTEM = Actor(None, "system")
_actor: ContextVar[Actor] = ContextVar("actor", default=SYSTEM)


def current_actor() -> Actor:
    """The actor set for this request or command."""
    return _actor.get()


def set_actor(actor: Actor):
    """Set the actor; returns a token for reset_actor."""
    return _actor.set(actor)


def reset_actor(token) -> None:
    """Undo set_actor."""
    _actor.reset(token)


# When the change being applied happened on the device (naive UTC), if it said so.
_happened: ContextVar = ContextVar("happened_at", default=None)


def device_time():
    """The device's time of the change being applied (naive UTC), or None outside a device change."""
    return _happened.get()


def set_device_time(moment):
    """Set the device time of the change being applied; returns a token for reset_device_time."""
    return _happened.set(moment)


def reset_device_time(token) -> None:
    """Undo set_device_time."""
    _happened.reset(token)


# Who pushed the change being applied when it is not its author's own push: the admin importing an
# inspector's rescue file (issue 18, item 5); None otherwise.
_importer: ContextVar = ContextVar("importer", default=None)


def importer_id():
    """The id of the user importing the change being applied for its author, or None."""
    return _importer.get()


def set_importer(user_id):
    """Set the importer of the change being applied; returns a token for reset_importer."""
    return _importer.set(user_id)


def reset_importer(token) -> None:
    """Undo set_importer."""
    _importer.reset(token)

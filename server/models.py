"""Every model, imported in one place so metadata is complete for Alembic and the tests."""
from server.account.models import DeviceToken, LoginAttempt, User  # noqa: F401
from server.carrier.models import Carrier, carrier_member  # noqa: F401
from server.core.audit import AuditLog  # noqa: F401
from server.station.models import County, Station, Target  # noqa: F401
from server.unit.models import ImportBatch, LifecycleEvent, Unit, UnitChange, UnitYear  # noqa: F401

"""Every model, imported in one place so metadata is complete for Alembic and the tests."""
from server.account.models import DeviceToken, LoginAttempt, User  # noqa: F401
from server.carrier.models import Carrier, carrier_member  # noqa: F401
from server.core.audit import AuditLog  # noqa: F401
from server.station.models import County, Station, Target  # noqa: F401
from server.unit.models import ImportBatch, LifecycleEvent, Unit, UnitChange, UnitYear  # noqa: F401
from server.checklist.models import ChecklistTemplate, ChecklistVersion  # noqa: F401
from server.core.changelog import ChangeLog, SyncCounter  # noqa: F401
from server.inspection.models import Inspection, InspectionAnswer, Rectification, UnitFlag  # noqa: F401
from server.sync.models import SyncReceipt  # noqa: F401
from server.visit.models import VisitTask  # noqa: F401
from server.photo.models import Photo  # noqa: F401
import server.feedback.models  # noqa: F401,E402
import server.signage.models  # noqa: F401,E402
from server.workday.models import CalendarDay, CalendarYear, DeadlineRule  # noqa: F401,E402
from server.rhythm.models import Bulletin, Lookback, PatrolDay, PatrolMark  # noqa: F401,E402
from server.complaint.models import ComplaintStep, MediationBenchmark  # noqa: F401,E402
from server.job.models import Job  # noqa: F401,E402
from server.finding.models import Finding  # noqa: F401
from server.redblack.models import RedBlackCriterion, RedBlackEntry, RedBlackList  # noqa: F401
from server.volunteer.models import VolunteerAssignment  # noqa: F401
from server.region.models import RollupSnapshot  # noqa: F401

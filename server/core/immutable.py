"""Records written once with a Core INSERT and never changed afterwards (inspections, photos).

They are the busiest writes, and the unit of work's bookkeeping (history, flush, listeners) would be
spent on nothing; what the session's listeners would have done for them is done here instead.
"""
from sqlalchemy.orm import Session, make_transient_to_detached

from server.core import audit, changelog


def written(session: Session, model, values: dict):
    """The instance of a row just inserted from `values` (its primary key included): in the session as
    if just loaded (nothing to flush), audited, and in the change log when the model syncs."""
    obj = model(**values)
    make_transient_to_detached(obj)
    session.add(obj)
    audit.log_inserted(session, obj)
    if hasattr(obj, "sync_scope"):
        changelog.log_inserted(session, obj)
    return obj

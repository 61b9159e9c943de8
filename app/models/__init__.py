"""Every ORM table, in one metadata so Alembic sees them all."""

from app.models.base import Base
from app.models.connection import CONNECTION_STATUSES, Connection, Program
from app.models.ledger import (
    TRANSACTION_STATUSES,
    DailyClicks,
    DailyConnectionRollup,
    DailyConnectionTotals,
    DailyDetailRollup,
    DailyRollup,
    Transaction,
    TransactionChange,
)
from app.models.sync import RUN_STATES, UPLOAD_STATES, FxRate, SyncRun, Upload
from app.models.tenancy import ApiKey, Workspace

__all__ = [
    "CONNECTION_STATUSES",
    "RUN_STATES",
    "TRANSACTION_STATUSES",
    "UPLOAD_STATES",
    "ApiKey",
    "Base",
    "Connection",
    "DailyClicks",
    "DailyConnectionRollup",
    "DailyConnectionTotals",
    "DailyDetailRollup",
    "DailyRollup",
    "FxRate",
    "Program",
    "SyncRun",
    "Transaction",
    "TransactionChange",
    "Upload",
    "Workspace",
]

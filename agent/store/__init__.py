"""The application database: datasets, mapping versions, runs, the audit log and web-app users."""

from agent.store.database import dispose_engines, get_engine, open_session
from agent.store.datasets import file_sha256, register_dataset, save_profile
from agent.store.linkage import ClusterMembership, ClusterVersionRow, LinkDecision, LinkEdge, LinkRun
from agent.store.mapping_versions import load_mapping_version, store_mapping_version
from agent.store.models import AuditEvent, Dataset, MappingVersion, ReviewItem, Run, utc_timestamp
from agent.store.runs import close_run, open_run
from agent.store.users import AppUser, SignInAttempt, UserError, WebSession

__all__ = [
    "AppUser", "AuditEvent", "ClusterMembership", "ClusterVersionRow", "Dataset", "LinkDecision", "LinkEdge", "LinkRun",
    "MappingVersion", "ReviewItem", "Run", "SignInAttempt", "UserError", "WebSession",
    "close_run", "dispose_engines", "file_sha256", "get_engine", "load_mapping_version", "open_run", "open_session",
    "register_dataset", "save_profile", "store_mapping_version", "utc_timestamp",
]

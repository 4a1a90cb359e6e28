"""The deterministic (offline) proposer: infer what each source field means and propose a mapping.

``propose`` scores every (source, target) pair from name, detector and schema-constraint
evidence, adds merges and splits, and picks one global assignment; ``validate_proposal``
proves each field on the sample rows; ``route`` sets confidence and status (auto-accept
only what is confident, validated and free of always-review reasons).
"""

from tools.propose.calibration import calibrate, fit_calibration
from tools.propose.model import (ALWAYS_REVIEW, FailureExample, FieldEvidence, FieldValidation, Proposal, ProposeSettings,
                                 ReviewItem, reason_code)
from tools.propose.proposer import propose
from tools.propose.routing import route
from tools.propose.validation import validate_proposal

__all__ = [
    "ALWAYS_REVIEW",
    "FailureExample",
    "FieldEvidence",
    "FieldValidation",
    "Proposal",
    "ProposeSettings",
    "ReviewItem",
    "calibrate",
    "fit_calibration",
    "propose",
    "reason_code",
    "route",
    "validate_proposal",
]

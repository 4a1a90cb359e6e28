"""Decide each field's confidence and status from its evidence and its validation.

    confidence = calibrate(match score) x validation factor

where the validation factor is the sample pass rate (rows that transformed and passed
the leaf schema), or ``unvalidated_factor`` when the sample held no value to check. The
calibrated score is the precision observed for proposals of that score (see
``calibration``); multiplying by the pass rate discounts it by the share of rows the
transform would quarantine. A field is ``auto_accepted`` only when the confidence reaches
``auto_accept_threshold``, the pass rate reaches ``min_pass_rate`` and no always-review
reason stands; otherwise it is ``needs_review`` and every reason is stated.
"""

from __future__ import annotations

from typing import Any

from tools.mapping import FieldMapping, MappingDocument
from tools.propose.calibration import calibrate
from tools.propose.model import (LOW_CONFIDENCE, NO_SAMPLE, VALIDATION, FieldEvidence, FieldValidation, ProposeSettings,
                                 reason, reason_code)


def route(doc: MappingDocument, validations: dict[str, FieldValidation], evidence: dict[str, FieldEvidence],
          settings: ProposeSettings | None = None) -> MappingDocument:
    """A copy of ``doc`` with confidence, status and review reasons set on each proposed field.

    Fields already ``approved`` or ``rejected`` by a person are left as they are.
    """
    settings = settings or ProposeSettings()
    fields = [f if f.status in ("approved", "rejected") else route_field(f, validations.get(f.target), evidence.get(f.target), settings)
              for f in doc.fields]
    return doc.model_copy(update={"fields": fields})


def route_field(field: FieldMapping, validation: FieldValidation | None, evidence: FieldEvidence | None,
                settings: ProposeSettings) -> FieldMapping:
    reasons: list[str] = list(evidence.review_reasons) if evidence is not None else []
    if evidence is None:
        reasons.append(reason(LOW_CONFIDENCE, "no match evidence for this field"))
    matched = calibrate(evidence.match_score, settings.calibration) if evidence is not None else 0.0
    if validation is None or validation.rows_checked == 0:
        factor = settings.unvalidated_factor
        if not any(reason_code(r) == NO_SAMPLE for r in reasons):
            reasons.append(reason(NO_SAMPLE, "no sampled row has a value for its source field(s): nothing was validated"))
    else:
        factor = validation.pass_rate
        if validation.pass_rate < settings.min_pass_rate:
            reasons.append(reason(VALIDATION, _validation_detail(validation, settings)))
    confidence = round(matched * factor, 4)
    if confidence < settings.auto_accept_threshold:
        reasons.append(reason(LOW_CONFIDENCE, f"confidence {confidence:.2f} below {settings.auto_accept_threshold:.2f}"
                                              f" (match {matched:.2f} x validation {factor:.2f})"))
    reasons = list(dict.fromkeys(reasons))
    status = "needs_review" if reasons else "auto_accepted"
    return field.model_copy(update={"confidence": confidence, "status": status, "review_reasons": reasons})


def _validation_detail(validation: FieldValidation, settings: ProposeSettings) -> str:
    detail = (f"{validation.pass_rate:.1%} of {validation.rows_checked} sampled rows pass (needs {settings.min_pass_rate:.0%}):"
              f" {validation.transform_failures} failed the transform, {validation.schema_failures} the schema")
    if validation.failures:
        first = validation.failures[0]
        detail += f"; e.g. {first.shape!r}: {first.reason}"
    return detail


def review_items_of(doc: MappingDocument) -> list[dict[str, Any]]:
    """The document-level review items a proposal carries (an extra key of the document)."""
    items = getattr(doc, "review_items", None) or []
    return [dict(item) for item in items]

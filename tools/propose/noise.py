"""Source fields with no home: audit and system columns, constants, surrogate keys.

Recognised generically, from the name's vocabulary and the values, never from a list of
column names: an audit/system column names creation, change, extraction, versions or a
system user ('LAST_UPDATED_BY', 'ROWVER', 'EXTRACT_DT'); such a column stays unmapped
unless some target names the same thing (a schema with a 'last_updated' field gets it).
Every other unmapped source gets a reason too: no candidate, vetoed, or outbid.
"""

from __future__ import annotations

from tools.propose.candidates import Scored
from tools.propose.facts import SourceFacts

# thesaurus concepts that mark record-keeping rather than the record's content
AUDIT_CONCEPTS = frozenset({"created", "modified", "extracted", "version", "user"})
# words the thesaurus does not know that mark system columns
AUDIT_WORDS = frozenset({
    "audit", "sys", "system", "etl", "dw", "batch", "checksum", "hash", "rowid", "rowver", "deleted", "load",
    "loaded", "insert", "inserted", "upd", "ins", "crt", "src", "lineage", "partition",
})
AUDIT_NAME_LIMIT = 0.6  # a target named this well takes the audit column after all
SURROGATE_CONCEPTS = frozenset({"identifier", "record"})
WEAK_NAME = 0.5
MIN_ROWS_FOR_CONSTANT = 10


def audit_reason(source: SourceFacts, best_name: float) -> str | None:
    """Why an audit/system column stays unmapped, or None when it is not one (or a target names it)."""
    if best_name >= AUDIT_NAME_LIMIT:
        return None
    concepts = source.concepts() & AUDIT_CONCEPTS
    words = {w for unit in source.units for w in unit.words} & AUDIT_WORDS
    if not concepts and not words:
        return None
    marks = ", ".join(sorted(concepts | words))
    return f"audit/system column ({marks}); no target field names it"


def value_noise_reason(source: SourceFacts, best_name: float) -> str | None:
    """Constant columns and surrogate keys that no target names."""
    if best_name >= WEAK_NAME:
        return None
    if source.non_blank == 0:
        return "empty in the sample and no target field names it"
    if len(source.distinct) == 1 and source.non_blank >= MIN_ROWS_FOR_CONSTANT:
        return "the same value in every sampled row and no target field names it"
    unique = len(source.distinct) == source.non_blank and source.non_blank >= MIN_ROWS_FOR_CONSTANT
    keyish = source.concepts() & SURROGATE_CONCEPTS or source.score("reference_number") >= 0.5
    if unique and keyish and source.profile.inferred_type in ("integer", "string"):
        return "an internal surrogate key (unique in every row) and no target field names it"
    return None


def unmapped_reason(source: SourceFacts, scored: Scored, outbid: dict[str, tuple[str, str, float, float]],
                    review_threshold: float) -> str:
    """Why a source no option took: noise, outbid, vetoed or no candidate."""
    best = scored.best_name(source.name)
    best_score = best.score if best else 0.0
    for rule in (audit_reason, value_noise_reason):
        found = rule(source, best_score)
        if found:
            return found
    if source.name in outbid:
        target, holder, mine, theirs = outbid[source.name]
        return f"its best target {target} ({mine:.2f}) went to {holder} ({theirs:.2f})"
    mine = [c for c in scored.candidates if source.name in c.sources]
    if mine:
        top = mine[0]
        if top.score < review_threshold:
            return f"no candidate reaches the review threshold {review_threshold:.2f} (best {top.pointer}: {top.score:.2f})"
        return f"its candidates ({top.pointer}: {top.score:.2f}) were taken by better-scoring sources"
    if best is not None and best.score > 0:
        veto = scored.vetoes.get((source.name, best.target), "")
        if veto.startswith("score at most"):
            return f"no target reaches the review threshold {review_threshold:.2f} (best-named {best.target}: {veto})"
        return (f"best-named target {best.target} ({best.score:.2f}) does not fit the values ({veto});"
                f" no other target reaches the review threshold {review_threshold:.2f}")
    return "no target field fits its name or values"

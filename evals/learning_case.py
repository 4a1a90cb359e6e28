"""The learning eval's two forces: the same custody system exported twice, differently.

Force A is the custody case as its builder writes it (seed 101). Force B runs the same
generator with another seed (other people and events), then renames every column the
way another force's extract job would and shuffles the column order with a fixed seed.
Both are written as ordinary eval case folders, so the harness scores them unchanged.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from evals.case_builders.custody import niche_cp1252
from evals.case_builders.model import CaseSpec, TrueField
from evals.case_builders.writer import write_case

FORCE_A_SEED = 101
FORCE_B_SEED = 202
ORDER_SEED = 7

# Force B's names for force A's columns: abbreviations a thesaurus has no reason to know.
RENAMES: dict[str, str] = {
    "CUSTODY_NO": "CUST_REF", "DETAINEE_NAME": "PRISONER", "DOB": "BIRTH_DT", "SEX": "GNDR",
    "ETH_IC": "APPEAR_CD", "HOME_PCODE": "ADDR_PC", "PNC_ID": "PNC_REF", "ARR_DATE": "DT_ARR",
    "ARR_TIME": "TM_ARR", "ARRIVAL_DTTM": "BOOKED_IN", "OFFENCE_CODE": "HO_CLASS", "OIC_NO": "OIC",
    "SUITE": "LOCN", "ROWVER": "VER", "LAST_UPDATED_BY": "MOD_BY", "EXTRACT_DT": "RUN_DT",
}


def force_a() -> CaseSpec:
    """Force A's export: the custody case as built for the eval suite."""
    return replace(niche_cp1252(FORCE_A_SEED), name="learning_force_a")


def force_b() -> CaseSpec:
    """Force B's export: same system, other rows, renamed and reordered columns."""
    spec = niche_cp1252(FORCE_B_SEED)
    columns = [RENAMES[c] for c in spec.columns]
    random.Random(ORDER_SEED).shuffle(columns)
    rows = [{RENAMES[key]: value for key, value in row.items()} for row in spec.rows]
    fields = [TrueField(f.target, [RENAMES[s] for s in f.sources], f.transform, f.rationale) for f in spec.fields]
    unmapped = [RENAMES[s] for s in spec.unmapped]
    reasons = {RENAMES[s]: why for s, why in spec.unmapped_reasons.items()}
    return replace(spec, name="learning_force_b", columns=columns, rows=rows, fields=fields, unmapped=unmapped,
                   unmapped_reasons=reasons, mess=[*spec.mess, "columns renamed and reordered"])


def write_forces(root: Path) -> tuple[Path, Path]:
    """Write both cases under ``root`` and return their folders (A, B)."""
    return write_case(force_a(), root), write_case(force_b(), root)

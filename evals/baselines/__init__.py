"""Peer baselines for the eval report: propose functions with the harness's signature.

``name-only`` is the naive peer (exact normalised header/leaf name equality, copy, all
auto-accepted). ``oracle`` replays a case's own truth.mapping.json: an upper bound used to
check the harness itself, never a peer.
"""

from __future__ import annotations

from typing import Callable

from evals.baselines.name_only import propose as name_only
from evals.baselines.oracle import propose as oracle

BASELINES: dict[str, Callable[..., dict]] = {"name-only": name_only, "oracle": oracle}

__all__ = ["BASELINES", "name_only", "oracle"]

"""The nodes of the propose graph, one module each: small functions over ``tools/``.

Every node takes the state and the runtime (whose ``context`` is a ``GraphContext``),
calls ``context.enter(name)`` first, writes one audit event, and returns the state keys
it sets.
"""

from agent.graph.nodes.profile import profile
from agent.graph.nodes.propose import propose
from agent.graph.nodes.read import read
from agent.graph.nodes.repair import repair
from agent.graph.nodes.rerank import rerank
from agent.graph.nodes.retrieve import retrieve
from agent.graph.nodes.review import review
from agent.graph.nodes.route import route
from agent.graph.nodes.validate import validate

__all__ = ["profile", "propose", "read", "repair", "rerank", "retrieve", "review", "route", "validate"]

"""Field-name semantics for the matcher: tokens, a domain thesaurus and name similarity."""

from tools.names.similarity import NameMatch, TargetText, name_similarity, rank_targets
from tools.names.thesaurus import Thesaurus, ThesaurusError, default_thesaurus, load_thesaurus
from tools.names.tokenise import tokenise, tokenise_pointer

__all__ = [
    "NameMatch", "TargetText", "Thesaurus", "ThesaurusError", "default_thesaurus", "load_thesaurus",
    "name_similarity", "rank_targets", "tokenise", "tokenise_pointer",
]

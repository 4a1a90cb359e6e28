"""The shape of a thesaurus file (tools/names/thesaurus.json and force extensions).

The vocabulary is data so that a force can add its own system's abbreviations and
words without touching code; this model is what such a file must satisfy.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tools.names.tokenise import tokenise

_CONCEPT_ID = r"^[a-z][a-z0-9_]*$"


class Abbreviation(BaseModel):
    """A short form as records systems write it, and what it stands for."""

    model_config = ConfigDict(extra="forbid")

    abbr: str = Field(description="Lower case, one word as the tokeniser splits it: 'dttm', 'oic', '#'")
    expansions: list[str] = Field(min_length=1, description="Each reading in plain words, e.g. 'date of birth'")
    ambiguous: bool = Field(default=False, description="Several readings or an uncertain one: matched with ambiguous_weight")
    note: str | None = None

    @field_validator("abbr")
    @classmethod
    def _one_lower_case_word(cls, value: str) -> str:
        if value != "#" and tokenise(value) != [value]:
            raise ValueError(f"abbreviation {value!r} must be one lower-case word as tokenise() splits it")
        return value

    @field_validator("expansions")
    @classmethod
    def _expansions_have_words(cls, value: list[str]) -> list[str]:
        for text in value:
            if not tokenise(text):
                raise ValueError(f"expansion {text!r} has no words")
        return value

    @model_validator(mode="after")
    def _several_readings_are_ambiguous(self) -> "Abbreviation":
        if len(self.expansions) > 1 and not self.ambiguous:
            raise ValueError(f"abbreviation {self.abbr!r} has several expansions: mark it ambiguous")
        return self


class SynonymGroup(BaseModel):
    """Words and phrases that name one concept, with how surely they do."""

    model_config = ConfigDict(extra="forbid")

    concept: str = Field(pattern=_CONCEPT_ID, description="Canonical concept id, e.g. 'surname'")
    terms: list[str] = Field(min_length=1, description="Words or phrases, e.g. 'last name', 'family name'")
    weight: float = Field(default=1.0, gt=0.0, le=1.0, description="1.0 strong synonyms, about 0.6 weak ones")
    kind: Literal["subject", "entity"] | None = Field(
        default=None,
        description="'subject': the person a record is about by default (person, detainee, suspect); "
        "'entity': another party a field can be about (officer, victim, witness)",
    )
    broader: list[str] = Field(default_factory=list, description="Concepts this one is a kind of: surname -> name")
    note: str | None = None


class ThesaurusFile(BaseModel):
    """A whole thesaurus file; extension files have the same shape and are merged onto the base."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    description: str | None = None
    ambiguous_weight: float = Field(default=0.6, gt=0.0, le=1.0, description="Weight of an ambiguous abbreviation's readings")
    broader_weight: float = Field(default=0.5, gt=0.0, le=1.0, description="Weight of a broader concept (surname counts as 0.5 name)")
    digit_importance: float = Field(default=0.3, gt=0.0, le=1.0, description="Importance of number words such as the 1 in LINE1")
    stopwords: list[str] = Field(default_factory=list)
    importance: dict[str, float] = Field(
        default_factory=dict,
        description="IDF-like importance below 1 for generic words or concept ids (date, name, number, code)",
    )
    abbreviations: list[Abbreviation] = Field(default_factory=list)
    groups: list[SynonymGroup] = Field(default_factory=list)

    @field_validator("stopwords")
    @classmethod
    def _stopwords_lower(cls, value: list[str]) -> list[str]:
        for word in value:
            if tokenise(word) != [word]:
                raise ValueError(f"stopword {word!r} must be one lower-case word")
        return value

    @field_validator("importance")
    @classmethod
    def _importance_in_range(cls, value: dict[str, float]) -> dict[str, float]:
        for key, weight in value.items():
            if not 0.0 < weight <= 1.0:
                raise ValueError(f"importance of {key!r} must be in (0, 1], not {weight}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "ThesaurusFile":
        seen: set[str] = set()
        for abbreviation in self.abbreviations:
            if abbreviation.abbr in seen:
                raise ValueError(f"abbreviation {abbreviation.abbr!r} is listed twice")
            seen.add(abbreviation.abbr)
        stopwords = set(self.stopwords)
        kinds: dict[str, str] = {}
        concepts = {group.concept for group in self.groups}
        for group in self.groups:
            for term in group.terms:
                if not [word for word in tokenise(term) if word not in stopwords]:
                    raise ValueError(f"term {term!r} of {group.concept!r} has no words besides stopwords")
            for parent in group.broader:
                if parent not in concepts:
                    raise ValueError(f"{group.concept!r} is broader than {parent!r}, which no group defines")
            if group.kind is not None:
                if kinds.setdefault(group.concept, group.kind) != group.kind:
                    raise ValueError(f"concept {group.concept!r} is given two kinds")
        return self

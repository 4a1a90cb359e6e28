"""Retrieval memory: approved field mappings and target descriptions in chromadb.

Modules: ``documents`` (the texts embedded; no chromadb), ``embedding`` (the registered
offline embedding function and the options), ``store`` (``MappingMemory``). Nothing is
re-exported here, so importing ``tools.memory.documents`` does not load chromadb.
"""

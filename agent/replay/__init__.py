"""Replaying a logged propose run from its audit events (``crosswalk audit replay``).

``recorded_inputs`` reads what a run recorded, ``recorded_llm`` answers LLM requests
from the log, ``decisions`` re-applies people's decisions, ``compare`` builds the report;
``agent.jobs.replay_job`` ties them together. Import the modules themselves: this
package imports nothing, so the propose job can use ``run_settings`` without a cycle.
"""

"""Settings: defaults, environment variables, and the generated configuration doc."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.settings import Settings, env_var_name
from agent.settings_doc import render_configuration_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(env_var_name(name), raising=False)
    s = Settings()
    assert s.data_dir == Path(".crosswalk")
    assert s.resolved_database_url() == f"sqlite:///{Path.cwd().as_posix()}/.crosswalk/crosswalk.db"
    assert s.timezone == "Europe/London"
    assert s.sample_size == 5000
    assert s.engine == "auto"
    assert s.auto_accept_threshold == 0.9
    assert s.review_threshold == 0.4
    assert s.min_pass_rate == 0.98
    assert s.repair_rounds == 2


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CROSSWALK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CROSSWALK_SAMPLE_SIZE", "100")
    monkeypatch.setenv("CROSSWALK_ENGINE", "python")
    monkeypatch.setenv("CROSSWALK_USER", "auditor1")
    s = Settings()
    assert s.data_dir == tmp_path
    assert s.resolved_database_url() == f"sqlite:///{tmp_path.resolve().as_posix()}/crosswalk.db"
    assert s.sample_size == 100
    assert s.engine == "python"
    assert s.actor() == "auditor1"


def test_database_url_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSWALK_DATABASE_URL", "postgresql://crosswalk@db/crosswalk")
    assert Settings().resolved_database_url() == "postgresql://crosswalk@db/crosswalk"


def test_actor_falls_back_to_os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROSSWALK_USER", raising=False)
    monkeypatch.setattr("agent.settings.getpass.getuser", lambda: "jsmith")
    assert Settings().actor() == "jsmith"


def test_every_setting_has_a_description() -> None:
    for name, info in Settings.model_fields.items():
        assert info.description, name


def test_configuration_doc_is_generated_from_the_model() -> None:
    checked_in = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert checked_in == render_configuration_markdown(), (
        "docs/configuration.md is stale: run .venv/bin/python -m agent.settings_doc > docs/configuration.md"
    )
    for name in Settings.model_fields:
        assert f"`{env_var_name(name)}`" in checked_in


def test_thresholds_reach_the_proposer_from_the_environment(monkeypatch) -> None:
    from agent.jobs.propose_job import propose_settings

    monkeypatch.setenv("CROSSWALK_REVIEW_THRESHOLD", "0.55")
    monkeypatch.setenv("CROSSWALK_MIN_PASS_RATE", "0.99")
    monkeypatch.setenv("CROSSWALK_AUTO_ACCEPT_THRESHOLD", "0.95")
    chosen = propose_settings(Settings())
    assert (chosen.review_threshold, chosen.min_pass_rate, chosen.auto_accept_threshold) == (0.55, 0.99, 0.95)

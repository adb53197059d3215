"""The configuration documented in docs/scenarios.md is valid as written, and says what jalon does."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from jalon.config import load_dict
from jalon.scenarios import BUILTIN_SCENARIOS, definitions_for

DOC = Path(__file__).resolve().parent.parent / "docs" / "scenarios.md"


def test_the_documented_example_loads_and_routes_a_group_to_its_scenario() -> None:
    """Copying the example into config.toml works: the group's customers follow its scenario."""
    block = re.search(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block is not None
    settings = load_dict(tomllib.loads(block.group(1)))
    from jalon.models import Customer

    chosen = definitions_for(settings, Customer(code="X", name="X", group="Grands-Comptes", settings={}))
    assert chosen.group == "grands-comptes" and chosen.scenario is BUILTIN_SCENARIOS["standard-b2b"]
    assert [m.name for m in chosen.milestones] == ["delivered", "received", "approved", "paid"]
    gentle = definitions_for(
        settings, Customer(code="Y", name="Y", group=None, settings={"scenario": "gentle"})
    )
    assert gentle.group == "default" and gentle.scenario is not None and gentle.scenario.name == "gentle"

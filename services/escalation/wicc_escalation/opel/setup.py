"""The OPEL configuration of every care system WICC serves, loaded once at start.

Each system has its own file (`reference/opel/system-*.yaml`), naming its parameter
sets and action cards. An organisation belongs to a pillar either because the
system file lists it under that pillar, or because its kind in the reference data
(`acute`, `community`, `mental_health`) is the pillar's name and the pillar lists no
organisations of its own. The pillar also gives the action cards a declaration
issues: an organisation's card kind is its pillar's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from wicc_escalation.opel.cards import ActionCards, CardKind
from wicc_escalation.opel.config import OpelConfig, load_opel_config
from wicc_escalation.opel.config_error import ConfigError, ConfigProblem
from wicc_escalation.opel.damping import Damping, scale_damping, trust_damping
from wicc_escalation.opel.parameter_set import ParameterSet, Pillar
from wicc_escalation.opel.system_config import SystemConfig


@dataclass(frozen=True)
class SystemOpel:
    """One care system's OPEL configuration, with what the rules derive from it."""

    file: Path
    config: OpelConfig

    @property
    def code(self) -> str:
        return self.config.system.system

    @property
    def system(self) -> SystemConfig:
        return self.config.system

    @property
    def cards(self) -> ActionCards:
        return self.config.action_cards

    @property
    def divergence_after(self) -> timedelta:
        return timedelta(minutes=self.system.declarations.divergence_minutes)

    @property
    def hold(self) -> timedelta:
        return timedelta(minutes=self.system.damping.hold_minutes)

    def parameter_set(self, pillar: Pillar) -> ParameterSet:
        return self.config.parameter_sets[pillar]

    def org_damping(self, pillar: Pillar) -> Damping:
        return trust_damping(self.parameter_set(pillar), self.system.damping)

    def system_damping(self) -> Damping:
        return scale_damping(self.system.damping, self.system.levels)

    def pillar_of(self, ods: str, kind: str) -> Pillar | None:
        """The pillar an organisation of this system is scored in; None if none."""
        for pillar, pillar_config in self.system.pillars.items():
            if pillar_config.organisations is not None and ods in pillar_config.organisations:
                return pillar
        try:
            pillar = Pillar(kind)
        except ValueError:
            return None
        configured = self.system.pillars.get(pillar)
        if configured is None or configured.organisations is not None:
            return None  # an explicit list names the pillar's organisations, no others
        return pillar

    def members(self, orgs: Iterable[tuple[str, str]]) -> dict[Pillar, list[str]]:
        """Each configured pillar's organisations, from the system's (ODS, kind) pairs
        and the organisations the file lists (listed ones count even when the
        reference data does not know them yet: they show as having no data)."""
        result: dict[Pillar, list[str]] = {pillar: [] for pillar in self.system.pillars}
        for ods, kind in orgs:
            pillar = self.pillar_of(ods, kind)
            if pillar is not None:
                result[pillar].append(ods)
        for pillar, pillar_config in self.system.pillars.items():
            for ods in pillar_config.organisations or ():
                if ods not in result[pillar]:
                    result[pillar].append(ods)
        return {pillar: sorted(codes) for pillar, codes in result.items()}


def card_kind(pillar: Pillar) -> CardKind:
    return CardKind(pillar.value)


@dataclass(frozen=True)
class OpelSetup:
    """Every configured system, by its code."""

    systems: Mapping[str, SystemOpel]

    def of(self, system_code: str) -> SystemOpel | None:
        return self.systems.get(system_code)


def load_setup(files: Sequence[Path]) -> OpelSetup:
    """Load and cross-check every system file; a broken one raises `ConfigError`
    naming the file and the key."""
    systems: dict[str, SystemOpel] = {}
    for path in files:
        loaded = SystemOpel(path, load_opel_config(path))
        other = systems.get(loaded.code)
        if other is not None:
            problem = ConfigProblem(
                "system", f"system {loaded.code!r} is already configured by {other.file}"
            )
            raise ConfigError(str(path), [problem])
        systems[loaded.code] = loaded
    return OpelSetup(systems)

"""Versioned prompt templates: ``prompts/<name>@<version>.txt``, rendered strictly.

The newest version of each template is used unless one is pinned; the version that produced an
answer is reported with it (``prompt_version``). A template that names a variable the caller did not
give, or a pinned version that does not exist, is an error, never a silently blank prompt."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError

_FILE = re.compile(r"^(?P<name>[a-z_]+)@(?P<version>\d+)\.txt$")


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    template: str

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, **values: str) -> str:
        try:
            return string.Template(self.template).substitute(values)
        except KeyError as exc:
            raise ConfigError(f"Prompt {self.id} needs a value for ${exc.args[0]}.") from exc
        except ValueError as exc:
            raise ConfigError(f"Prompt {self.id} is not a valid template: {exc}") from exc


class PromptLibrary:
    def __init__(self, directory: Path, pinned: str | None = None) -> None:
        self.directory = directory
        self.prompts: dict[str, dict[int, Prompt]] = {}
        if directory.is_dir():
            for path in sorted(directory.iterdir()):
                m = _FILE.match(path.name)
                if m:
                    prompt = Prompt(m["name"], int(m["version"]), path.read_text("utf-8"))
                    self.prompts.setdefault(prompt.name, {})[prompt.version] = prompt
        self.pinned: dict[str, int] = {}
        for item in (pinned or "").split(","):
            if item.strip():
                name, _, version = item.strip().partition("@")
                if not version.isdigit() or int(version) not in self.prompts.get(name, {}):
                    raise ConfigError(f"COACH_LLM__PROMPT_VERSION names {item.strip()!r}, which is not in {directory}.")
                self.pinned[name] = int(version)

    def get(self, name: str) -> Prompt:
        versions = self.prompts.get(name)
        if not versions:
            raise ConfigError(f"No prompt template '{name}@N.txt' in {self.directory}.")
        return versions[self.pinned.get(name, max(versions))]

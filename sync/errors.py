"""Our own exceptions. Library code raises these; the CLI turns them into a message and an exit code."""
from __future__ import annotations

from collections.abc import Sequence


class CampusDeskError(Exception):
    """Base class: a problem the user can fix, with a message that says where."""

    exit_code = 2


class ConfigError(CampusDeskError):
    """policies/ or a config file is broken. Carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)      # each `file:line: key.path: message` (sync.config.Problem or text)
        super().__init__("\n".join(problems))


class SourceError(CampusDeskError):
    """The workbook, folder or spreadsheet could not be read at all."""


class ArchiveError(CampusDeskError):
    """data/archive.sqlite cannot be read or written (damaged, truncated, not an archive)."""

"""Errors a user can act on: the CLI prints the message as one line and exits with the code.

Anything else that escapes a command is a bug and keeps its traceback.
"""

from __future__ import annotations

EXIT_FAILED = 1  # a run or command failed (a damaged file, an unreachable endpoint)
EXIT_USAGE = 2  # the user asked for something wrong: a flag, a setting, a path


class UserError(Exception):
    """A problem the user can fix; ``str(error)`` names the file, variable or path and what to do."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code

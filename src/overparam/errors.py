"""The one exception type for bad user input.

The CLI turns :class:`BadInput` into exit status 2 and a single line on stderr, so every check of
user-supplied values raises it *before* any long computation starts.
"""

from __future__ import annotations


class BadInput(ValueError):
    """A user-supplied value is not acceptable; the message names the value and what is accepted."""

    def __init__(self, message: str) -> None:
        # One line, always: the CLI prints it verbatim.
        super().__init__(" ".join(str(message).split()))

"""Project layout guards: nothing in jalon shadows the standard library."""

from __future__ import annotations

import email.message
import importlib
import mailbox
from pathlib import Path


def test_standard_library_mailbox_is_not_shadowed() -> None:
    """`import mailbox` is still Python's module, while jalon's own lives at jalon.mailbox."""
    assert hasattr(mailbox, "Maildir") and hasattr(mailbox, "mbox")
    assert "site-packages" not in str(Path(mailbox.__file__)) and "jalon" not in str(Path(mailbox.__file__))
    ours = importlib.import_module("jalon.mailbox")
    assert Path(ours.__file__).parent.name == "mailbox" and ours is not mailbox
    assert email.message.EmailMessage is not None


def test_every_module_says_what_it_does() -> None:
    """Each module of jalon opens with a docstring (the house rule)."""
    root = Path(importlib.import_module("jalon").__file__).parent
    missing = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or (path.name == "__init__.py" and path.stat().st_size == 0):
            continue
        text = path.read_text(encoding="utf-8").lstrip()
        if not text.startswith(('"""', "'''", 'r"""')):
            missing.append(str(path.relative_to(root)))
    assert missing == []

"""Writing files so that a killed run never leaves half of one behind, and never writes through a link."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` in one step: write a temporary file beside it, then rename it over the old one.

    A symbolic link is refused (replacing it would drop the link, writing through it would write
    elsewhere: neither). An unchanged file is left alone, mtime included."""
    data = text.encode("utf-8")
    if path.is_symlink():
        raise OSError(f"{path} is a symbolic link; nightshift does not write through links")
    if path.is_file() and path.read_bytes() == data:
        return
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise

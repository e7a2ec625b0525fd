"""Writing files so that a failure or an interrupt never leaves a partial file behind."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path):
    """Yield a temporary path in the folder of ``path`` (same suffix, so writers that infer
    the format from it still do); when the block ends without an error the temporary file
    replaces ``path`` in one rename, otherwise (an error, Ctrl-C) it is removed and ``path``
    keeps its previous content."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{path.suffix}", dir=folder)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

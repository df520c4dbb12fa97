"""Where the world is generated: in this process, or in a helper process on a second core.

Generating is pure Python and costs about as much as writing, so on a machine
with two or more cores a helper process generates the next batch while this
one writes the last.  The helper is a plain ``python -c`` child fed through
its standard input and output, so it works from any caller (no ``__main__``
guard needed, no fork of a threaded process).  Batches cross as pickled plain
tuples in length-prefixed frames; the pipe holds less than one batch, so
memory stays flat however large the world.  The world is the same either way:
every account draws from its own seeded random stream.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Generator
from pathlib import Path
from typing import IO, Any, Final

from silverplatter.services.demo.rows import Tables
from silverplatter.services.demo.stored import StoredValues
from silverplatter.services.demo.world import DemoWorld

#: From this many contacts on, a helper process pays for its start-up (about half a second).
HELPER_FROM_CONTACTS: Final = 20_000
_HELPER: Final = "from silverplatter.services.demo.pipeline import serve; serve()"
_HEADER: Final = 8  # bytes of frame length


def use_helper(contacts: int) -> bool:
    """Whether to generate in a helper process: a big enough world and a second core."""
    return contacts >= HELPER_FROM_CONTACTS and (os.cpu_count() or 1) > 1


def batches_here(world: dict[str, Any], backend: str) -> Generator[Tables]:
    """Generate in this process, in ``backend``'s stored form."""
    stored = StoredValues(backend)
    for batch in DemoWorld(**world).batches():
        yield stored(batch.tables())


def _send(stream: IO[bytes], kind: str, payload: object) -> None:
    frame = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(frame).to_bytes(_HEADER, "big"))
    stream.write(frame)


def serve() -> None:
    """The helper process: read the world's arguments and the backend, write the world's
    batches in stored form, then "done"."""
    stream = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    try:
        world, backend = pickle.load(sys.stdin.buffer)
        stored = StoredValues(backend)
        for batch in DemoWorld(**world).batches():
            _send(stream, "batch", stored(batch.tables()))
        _send(stream, "done", None)
    except Exception:
        _send(stream, "failed", traceback.format_exc())
    finally:
        stream.close()


def _read(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise RuntimeError("the demo world's helper process ended unexpectedly")
    return data


def batches_from_helper(world: dict[str, Any], backend: str) -> Generator[Tables]:
    """Generate in a helper process, receiving one batch at a time in stored form."""
    package_root = str(Path(__file__).resolve().parents[3])
    path = os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH"))))
    helper = subprocess.Popen(
        [sys.executable, "-c", _HELPER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )
    requests, answers = helper.stdin, helper.stdout
    if requests is None or answers is None:  # pragma: no cover - both are pipes above
        raise RuntimeError("no pipes to the demo world's helper process")
    finished = False
    try:
        requests.write(pickle.dumps((world, backend), protocol=pickle.HIGHEST_PROTOCOL))
        requests.close()
        while True:
            size = int.from_bytes(_read(answers, _HEADER), "big")
            kind, payload = pickle.loads(_read(answers, size))
            if kind == "done":
                finished = True
                return
            if kind == "failed":
                raise RuntimeError(f"generating the demo world failed:\n{payload}")
            yield payload
    finally:
        answers.close()
        if not finished and helper.poll() is None:
            helper.kill()  # we are stopping early: the rest of the world is not wanted
        helper.wait()

"""``python -m silverplatter``: the same as the ``silverplatter`` command."""

from silverplatter.cli import main

main()

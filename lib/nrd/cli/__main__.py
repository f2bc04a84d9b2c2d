"""``python -m nrd.cli``: the same as the ``nrd`` command."""

from nrd.cli import main

main()

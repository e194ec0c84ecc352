"""``python -m zhunru``: the same as the ``zhunru`` console script."""

from zhunru.cli import main

main()

"""`python -m bot.cli`: the `paperclub` command."""

from . import main

main()

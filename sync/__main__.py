from .cli import entry

entry(prog_name="python -m sync")

"""The top of the kit: the ``igm`` command, which ties the engine and the layers on it together.

Nothing below imports this package: the engine (:mod:`igm`) knows no UI, gradebook or live
sessions; the CLI imports each command's package only when that command runs.
"""

#: The kit's version, written only here (pyproject.toml reads it: [tool.hatch.version]).
__version__ = "0.1.0"

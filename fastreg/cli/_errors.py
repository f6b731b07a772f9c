"""The one exception of the command line: a user error, reported in one line."""


class CommandError(Exception):
    """A bad file or argument: ``python -m fastreg`` prints the message on one
    line of stderr and exits with status 2, without a traceback."""

"""The command line: the same core functions the pages call, one subcommand per step of the flow, JSON out and
exit codes that mean something."""

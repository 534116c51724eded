"""Next Option Workbench core: every rule, permission and database access, without any UI."""

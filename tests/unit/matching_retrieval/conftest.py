"""Registers the `slow` marker used by the optional dense-model test of this area."""


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a few seconds (e.g. loads a real model)")

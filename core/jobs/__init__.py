"""Long work as persisted jobs: the store, an explicit handler registry, one dispatch policy, runners and workers."""

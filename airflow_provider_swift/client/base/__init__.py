"""The client's foundation, imported by every layer and importing none of them:
typed errors, option sets, the one way to run work in parallel, progress logging."""

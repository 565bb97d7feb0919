"""The operators' dead-letters tool: `python -m shared.tools.dead_letters --help` (`make dead-letters`)."""

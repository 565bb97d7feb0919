"""One-off data migrations, each a command run once against a store written by older code."""

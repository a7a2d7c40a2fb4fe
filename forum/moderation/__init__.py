"""The coordinator's tools: one review queue, flags, held posts, watched words,
moderator actions on topics, posts and members, and the audit log."""

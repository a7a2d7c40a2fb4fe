"""The coordinator's tools: one review queue, flags, held posts, watched words,
moderator actions on topics, posts and members, and the audit log.

What boards and membership write into the queue lives below them, in forum/review/.
"""

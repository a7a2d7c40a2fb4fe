"""What feeds the review queue, below every package that writes into it: held
posts, watched words, claiming a decision, and the audit log of staff actions.

Boards hold posts, membership queues join requests, moderation decides; all
three use this package, and it uses none of them.
"""

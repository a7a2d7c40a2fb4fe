"""The admin area: runtime settings, site texts, membership questions, rejection
templates, watched words, invitations, the (read-only) audit log, categories
(categories.py) and the first start set-up (setup.py)."""
